import { hubSignature } from './signature';

describe('hubSignature', () => {
  it('matches the SDK doctest of MMLITE §4.2', () => {
    expect(hubSignature('test', 'secret')).toBe(
      'sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914',
    );
  });

  it('signs the raw bytes, so a Buffer and its string agree and a re-serialised body does not', () => {
    const raw = '{"object":"whatsapp_business_account", "entry":[]}';
    expect(hubSignature(Buffer.from(raw), 's3cret-key')).toBe(hubSignature(raw, 's3cret-key'));
    expect(hubSignature(JSON.stringify(JSON.parse(raw)), 's3cret-key')).not.toBe(
      hubSignature(raw, 's3cret-key'),
    );
  });
});
