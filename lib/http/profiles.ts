import type { Request } from 'express';
import { NotAcceptableError, UnsupportedMediaTypeError } from '../errors';
import type { Format } from '../payload/codec';
import { encodePayload } from '../payload/codec';
import type { GoessnerValue } from '../payload/goessner';
import { toPesc } from '../payload/profiles/pesc';
import type { JsonNotation, SifProfile } from '../payload/profiles/profile';
import { dataModelOf, formatProfile, parseProfileList } from '../payload/profiles/profile';
import type { PescShape } from '../payload/profiles/shape';
import { NO_SHAPE, collectionShape, infrastructureShape, objectShape } from '../payload/profiles/shape';
import type { InfrastructureVersion } from '../protocol/enums';
import { INFRASTRUCTURE_VERSIONS, infrastructureNamespace } from '../protocol/enums';
import type { RegisteredService } from '../services/registry';
import type { SifContext } from './context';
import { findSifContext } from './context';
import { responseFormat } from './negotiate';

// SIF 3.3 content profiles (Version Indication & Negotiation §3): `Accept-Profile` says which
// infrastructure version and which JSON notation (Goessner or PESC) the consumer wants its answers
// in, one entry per model, the highest quality value winning; `Content-Profile` says what a request
// body is in, and every answer with a body says what it is in.

/** The `Accept-Profile` entries chosen for this request, per model; none when it sent none. */
export interface NegotiatedProfiles {
  readonly inf?: SifProfile;
  readonly data?: SifProfile;
}

const NONE: NegotiatedProfiles = Object.freeze({});
const TYPES = new Set(['goessner', 'pesc', 'xml']);
const INFRA_PREFIX = 'http://www.sifassociation.org/infrastructure/';
const ANSWERABLE = `infrastructure urn:sif:inf/global/${INFRASTRUCTURE_VERSIONS.join(' or /')}, and the data model of each service; each in XML, +goessner or +pesc`;

/**
 * Chooses, per model, the supported `Accept-Profile` entry with the highest quality value (the
 * first of equals). A model the header names only in entries this provider cannot answer (another
 * infrastructure version, an unknown notation, q=0), or a header with nothing usable at all, is a
 * 406. Data-model entries are not held to a domain or version: a service answers in its own data
 * model, which its `Content-Profile` names.
 *
 * @example
 * negotiateProfiles('urn:sif:data/au/3.4.6+pesc,urn:sif:inf/global/3.3+pesc').inf?.type; // 'pesc'
 */
export function negotiateProfiles(acceptProfile: string | undefined): NegotiatedProfiles {
  if (acceptProfile === undefined || acceptProfile.trim() === '') return NONE;
  const best: { inf?: SifProfile; data?: SifProfile } = {};
  const named = new Set<string>();
  const refused: string[] = [];
  for (const { text, profile } of parseProfileList(acceptProfile)) {
    if (profile) named.add(profile.model);
    if (!profile || !answerable(profile)) {
      refused.push(text);
      continue;
    }
    const current = best[profile.model];
    if (!current || profile.q > current.q) best[profile.model] = profile;
  }
  const unanswered = [...named].filter((model) => !best[model as SifProfile['model']]);
  if (unanswered.length > 0 || (!best.inf && !best.data)) {
    throw new NotAcceptableError(`No Accept-Profile entry can be answered: ${refused.map((t) => JSON.stringify(t.slice(0, 80))).join(', ')}`.slice(0, 1024), {
      description: `This provider answers the ${ANSWERABLE}`,
    });
  }
  return best;
}

function answerable(profile: SifProfile): boolean {
  if (!(profile.q > 0)) return false;
  if (profile.type !== undefined && !TYPES.has(profile.type)) return false;
  if (profile.model === 'data') return true;
  return profile.domain === 'global' && (INFRASTRUCTURE_VERSIONS as readonly string[]).includes(profile.version);
}

/**
 * The response format once profiles are known: `Accept` and the URL suffix decide as before; when
 * neither states one, a profile's `+pesc`/`+goessner` asks for JSON and `+xml` for XML.
 *
 * @example
 * profiledFormat(undefined, undefined, { inf: parseProfile('urn:sif:inf/global/3.3+pesc') }); // 'json'
 */
export function profiledFormat(accept: string | undefined, suffix: Format | undefined, profiles: NegotiatedProfiles): Format {
  // Accept names a format when the answer does not depend on the fallback it is given.
  if (suffix !== undefined || responseFormat(accept, 'json') === responseFormat(accept, 'xml')) return responseFormat(accept, suffix);
  const format = responseFormat(accept, undefined);
  const type = (profiles.data ?? profiles.inf)?.type;
  return type === 'pesc' || type === 'goessner' ? 'json' : type === 'xml' ? 'xml' : format;
}

/**
 * How a request body is to be read: its format (`Content-Type`, else the suffix, else the
 * `Content-Profile`'s notation, else XML) and, for JSON, its notation. A `Content-Profile` that is
 * not a SIF profile, names an unknown notation or another model than the infrastructure's `global`,
 * or contradicts the `Content-Type`, is a 415.
 *
 * @example
 * bodyNotation('urn:sif:inf/global/3.3+pesc', 'json'); // 'pesc'
 */
export function bodyNotation(contentProfile: string | undefined, format: Format | undefined): { format: Format; notation: JsonNotation | undefined } {
  if (contentProfile === undefined || contentProfile.trim() === '') {
    const chosen = format ?? 'xml';
    return { format: chosen, notation: chosen === 'json' ? 'goessner' : undefined };
  }
  const entries = parseProfileList(contentProfile);
  const profile = entries.length === 1 ? entries[0]!.profile : undefined;
  const problem =
    !profile ? 'is not one SIF profile (urn:sif:inf/global/3.3+pesc, urn:sif:data/au/3.4.6)'
    : profile.type !== undefined && !TYPES.has(profile.type) ? `names the notation "${profile.type.slice(0, 20)}"; this provider reads XML, +goessner and +pesc`
    : profile.model === 'inf' && (profile.domain !== 'global' || !/^3(\.|$)/.test(profile.version)) ? 'names an infrastructure other than global 3.x'
    : undefined;
  if (problem) throw new UnsupportedMediaTypeError(`Unsupported Content-Profile: ${JSON.stringify(contentProfile.slice(0, 80))} ${problem}`.slice(0, 1024));
  const json = profile!.type === 'pesc' || profile!.type === 'goessner';
  const chosen = format ?? (json ? 'json' : 'xml');
  if ((chosen === 'xml' && json) || (chosen === 'json' && profile!.type === 'xml')) {
    throw new UnsupportedMediaTypeError(`The Content-Profile (${profile!.type ?? 'XML'}) does not match the body's ${chosen.toUpperCase()} Content-Type`);
  }
  return { format: chosen, notation: chosen === 'json' ? (profile!.type === 'pesc' ? 'pesc' : 'goessner') : undefined };
}

/** What one answer is written in, and the `Content-Profile` that says so (none for a data model of another form). */
export interface ResponseProfile {
  notation: JsonNotation | undefined;
  namespace: string;
  shape: PescShape;
  contentProfile: string | undefined;
}

/**
 * The profile of an answer with root `root` in `namespace` (undefined: the infrastructure's): the
 * entry chosen for its model, else the one chosen for the other model (errors of a data request
 * follow its data profile's notation), else Goessner and the provider's infrastructure version.
 * Data objects are written in the shape of the service they are of: the request's, else the one
 * of `services` whose collection `root` is (a queued event); a service declared from a data model
 * gives its numbers and booleans their JSON types.
 *
 * @example
 * responseProfile(context, 'json', 'environment', undefined, '3.2.1').contentProfile; // 'urn:sif:inf/global/3.3+pesc'
 */
export function responseProfile(
  context: SifContext | undefined,
  format: Format,
  root: string,
  namespace: string | undefined,
  version: InfrastructureVersion,
  services?: ReadonlyMap<string, RegisteredService>,
): ResponseProfile {
  const profiles = context?.profiles ?? NONE;
  const data = namespace !== undefined && !namespace.startsWith(INFRA_PREFIX);
  const chosen = (data ? profiles.data : profiles.inf) ?? profiles.inf ?? profiles.data;
  const notation = format === 'json' ? (chosen?.type === 'pesc' ? 'pesc' : 'goessner') : undefined;
  if (data) {
    const model = dataModelOf(namespace);
    const shape = notation === 'pesc' ? dataShape(root, namespace, context?.target?.service, services) : NO_SHAPE;
    return { notation, namespace, shape, contentProfile: model && formatProfile('data', model.domain, model.version, notation) };
  }
  const asked = profiles.inf?.version as InfrastructureVersion | undefined;
  const infVersion = namespace === undefined ? (asked ?? version) : namespace.slice(INFRA_PREFIX.length);
  return {
    notation,
    namespace: namespace ?? infrastructureNamespace(infVersion as InfrastructureVersion),
    shape: infrastructureShape(root),
    contentProfile: formatProfile('inf', 'global', infVersion, notation),
  };
}

/** The PESC shape of a data answer: an object or a collection of the service it is of, when known. */
function dataShape(root: string, namespace: string, target: RegisteredService | undefined, services: ReadonlyMap<string, RegisteredService> | undefined): PescShape {
  const queued = services?.get(root);
  for (const service of [target, queued]) {
    if (service?.objectName === undefined || service.namespace !== namespace) continue;
    if (root === service.objectName) return objectShape(service);
    if (root === service.name) return collectionShape(service, service.objectName);
  }
  return NO_SHAPE;
}

/**
 * Encodes an answer's body in its profile.
 *
 * @example
 * encodeProfiled('error', value, 'json', profile); // '{"error":{"code":404,…,"id":"…"}}' for +pesc
 */
export function encodeProfiled(root: string, value: GoessnerValue, format: Format, profile: ResponseProfile): string {
  return profile.notation === 'pesc' ? toPesc(root, value, profile.shape) : encodePayload(root, value, format, profile.namespace);
}

/**
 * The shape of a PESC request body with root `root`: an object or collection of `service` (default:
 * the request's; a remote provider's answer names the service of the request it answers), else an
 * infrastructure payload.
 *
 * @example
 * requestShape(req, 'environment'); // the environment's shape
 */
export function requestShape(req: Request, root: string, of?: RegisteredService): PescShape {
  const service = of ?? findSifContext(req)?.target?.service;
  if (service?.objectName !== undefined) {
    if (root === service.objectName) return objectShape(service);
    if (root === service.name) return collectionShape(service, service.objectName);
  }
  return infrastructureShape(root);
}
