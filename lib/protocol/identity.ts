/** What makes a consumer unique (Infrastructure Services §4.2): no two environments share it. */
export interface ConsumerIdentity {
  applicationKey: string;
  instanceId?: string | undefined;
  userToken?: string | undefined;
  solutionId?: string | undefined;
}

/**
 * The identity as one comparable key. An absent part and an empty one are the same part.
 *
 * @example
 * identityKey({ applicationKey: 'DemoApp', instanceId: 'ipad-7' }); // '["DemoApp","ipad-7","",""]'
 */
export function identityKey(identity: ConsumerIdentity): string {
  return JSON.stringify([
    identity.applicationKey,
    identity.instanceId ?? '',
    identity.userToken ?? '',
    identity.solutionId ?? '',
  ]);
}
