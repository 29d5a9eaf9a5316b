import { callbackDataOf } from '../delivery/domain/delivery-status';
import { messageIdOfTrackingToken } from './meta-click';

describe("a Meta click's tracking token", () => {
  it('names the campaign message whose callback data it is, whatever its retry', () => {
    expect(messageIdOfTrackingToken(callbackDataOf('1234', 0))).toBe('1234');
    expect(messageIdOfTrackingToken(callbackDataOf('1234', 2))).toBe('1234');
  });

  it("names no message for Meta's own tokens, test sends or nothing", () => {
    for (const t of [
      null,
      '',
      'example_token',
      'test:5f0c',
      '12a',
      '1:2:3',
      '1234567890123456789',
    ]) {
      expect(messageIdOfTrackingToken(t)).toBeNull();
    }
  });
});
