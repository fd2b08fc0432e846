import { CORE_REQUIREMENTS } from './core';
import { DEVIATION_REQUIREMENTS } from './deviations';
import { PROFILE_REQUIREMENTS } from './profiles';
import { JOB_REQUIREMENTS } from './jobs';
import { REMOTE_REQUIREMENTS } from './remote';
import { DATAMODEL_REQUIREMENTS } from './datamodel';
import type { Requirement } from './types';
import { UTILITY_REQUIREMENTS } from './utilities';

export type { AuditContext, Requirement } from './types';

/**
 * Every requirement of the audit, in the order they run: one module per area, so that an area's
 * requirements live beside each other and a new area is one more import here.
 */
export const REQUIREMENTS: readonly Requirement[] = [...CORE_REQUIREMENTS, ...DEVIATION_REQUIREMENTS, ...PROFILE_REQUIREMENTS, ...JOB_REQUIREMENTS, ...REMOTE_REQUIREMENTS, ...DATAMODEL_REQUIREMENTS, ...UTILITY_REQUIREMENTS];
