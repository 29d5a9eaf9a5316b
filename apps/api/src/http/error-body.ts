import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one shape of every non-2xx answer. */
export class ErrorBody {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found' }) error!: string;
  @ApiProperty({ example: 'campaign 7f… not found' }) message!: string;
  @ApiPropertyOptional({
    description: 'Machine-readable error code',
    example: 'CAMPAIGN_NOT_FOUND',
  })
  code?: string;
  @ApiPropertyOptional({ description: 'Per-field problems (validation) or more context' })
  details?: unknown;
  @ApiProperty({ description: 'Echo of the x-request-id header' }) requestId!: string;
  @ApiPropertyOptional({ description: 'Present on 500s; quote it when reporting a problem' })
  errorId?: string;
}
