declare const brand: unique symbol;

/** A string that the compiler will not confuse with another kind of id. */
export type Branded<T, B extends string> = T & { readonly [brand]: B };

export type WorkspaceId = Branded<string, 'WorkspaceId'>;

export function asWorkspaceId(id: string): WorkspaceId {
  return id as WorkspaceId;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A bigserial id as text (a positive bigint): journal and log rows. */
export function isSerialId(value: string): boolean {
  return /^[1-9][0-9]{0,17}$/.test(value);
}
