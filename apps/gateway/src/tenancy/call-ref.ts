/**
 * One StreamTranslate call, as everything per-session is keyed: session ids are chosen by clients, so two
 * tenants (or one tenant's resumed call while its old one lingers) may use the same id. Only the triple
 * is unique; a client-given session id alone never selects anything.
 */
export interface CallRef {
  readonly tenantId: string;
  readonly sessionId: string;
  /** Random per call, never sent to clients. */
  readonly callId: string;
}

/** Map key of a call (NUL cannot occur in tenant ids, session ids or UUIDs). */
export function callKey(ref: CallRef): string {
  return `${ref.tenantId}\u0000${ref.sessionId}\u0000${ref.callId}`;
}
