/** Service types a provisioned service may have (Infrastructure Services §5.2.4). */
export const SERVICE_TYPES = ['OBJECT', 'SERVICEPATH', 'UTILITY', 'FUNCTIONAL', 'XQUERYTEMPLATE'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** Access rights, in the order they are written into an environment. */
export const RIGHT_TYPES = ['QUERY', 'CREATE', 'UPDATE', 'DELETE', 'PROVIDE', 'SUBSCRIBE', 'ADMIN'] as const;
export type RightType = (typeof RIGHT_TYPES)[number];

/** Values an access right may take. */
export const RIGHT_VALUES = ['APPROVED', 'SUPPORTED', 'REJECTED', 'UNSUPPORTED'] as const;
export type RightValue = (typeof RIGHT_VALUES)[number];

/** Authentication methods with built-in support, in their canonical spelling. */
export const AUTH_METHODS = ['Basic', 'SIF_HMACSHA256', 'Bearer'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The method named by `text`, compared case-insensitively as the spec asks, or undefined. */
export function canonicalAuthMethod(text: string): AuthMethod | undefined {
  const lower = text.trim().toLowerCase();
  return AUTH_METHODS.find((m) => m.toLowerCase() === lower);
}

/** Infrastructure versions the provider can speak on output. */
export const INFRASTRUCTURE_VERSIONS = ['3.2.1', '3.3'] as const;
export type InfrastructureVersion = (typeof INFRASTRUCTURE_VERSIONS)[number];

/** The XML namespace of an infrastructure version. */
export function infrastructureNamespace(version: InfrastructureVersion): string {
  return `http://www.sifassociation.org/infrastructure/${version}`;
}

/** True for any SIF 3.x infrastructure namespace, which is what the provider accepts on input. */
export function isInfrastructureNamespace(uri: string): boolean {
  return /^https?:\/\/www\.sifassociation\.org\/infrastructure\/3(\.\d+)*\/?$/.test(uri);
}

/** The zone that holds the utility services of every environment. */
export const ENVIRONMENT_GLOBAL_ZONE = 'environment-global';

/** The context used when a request names none. */
export const DEFAULT_CONTEXT = 'DEFAULT';

/** `messageType` header values. */
export type MessageType = 'REQUEST' | 'RESPONSE' | 'ERROR' | 'EVENT';

/** `responseAction` header values. */
export type ResponseAction = 'CREATE' | 'UPDATE' | 'DELETE' | 'QUERY' | 'HEAD';

/** Job states (`jobStateType`, Infrastructure Services 3.2.1 job.xsd). */
export const JOB_STATES = ['NOTSTARTED', 'INPROGRESS', 'COMPLETED', 'FAILED'] as const;

/** Phase states (`phaseStateType`): the XSD's seven, not the four of Base Architecture §5.16. */
export const PHASE_STATES = ['NOTAPPLICABLE', 'NOTSTARTED', 'PENDING', 'SKIPPED', 'INPROGRESS', 'COMPLETED', 'FAILED'] as const;

/** The operations on a phase (`{job}/{phase}`), each allowed by the phase right of that name. */
export const PHASE_OPERATIONS = ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] as const;
