import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { SandboxState, type SandboxPhoneNumber } from './sandbox-state';

interface WabaInput {
  id: string;
  name?: string;
  accessToken: string;
  phoneNumbers?: Array<Partial<SandboxPhoneNumber> & { id: string }>;
}

/** `/_sandbox/...`: how tests and the demo shape what the sandbox holds. */
@Controller('_sandbox')
export class ControlController {
  constructor(@Inject(SandboxState) private readonly state: SandboxState) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Post('wabas')
  upsertWaba(@Body() body: WabaInput): { id: string; phoneNumbers: string[] } {
    const waba = this.state.upsertWaba(body);
    return { id: waba.id, phoneNumbers: [...waba.phoneNumbers.keys()] };
  }

  @Post('reset')
  reset(): { status: 'reset' } {
    this.state.reset();
    return { status: 'reset' };
  }
}
