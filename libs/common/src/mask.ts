/** Masks a phone number for logs: `+5511912345678` → `+55*******5678`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) {
    return '*'.repeat(phone.length);
  }
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
