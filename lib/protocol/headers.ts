/**
 * SIF header names as the spec spells them. Node lowercases incoming header names, so requests are
 * read with the lowercase form; responses are written with these spellings.
 */
export const H = {
  timestamp: 'timestamp',
  messageId: 'messageId',
  messageType: 'messageType',
  responseAction: 'responseAction',
  requestAction: 'requestAction',
  requestId: 'requestId',
  requestType: 'requestType',
  serviceType: 'serviceType',
  relativeServicePath: 'relativeServicePath',
  environmentURI: 'environmentURI',
  fingerprint: 'fingerprint',
  applicationKey: 'applicationKey',
  authenticationMethod: 'authenticationMethod',
  generatorId: 'generatorId',
  methodOverride: 'methodOverride',
} as const;
