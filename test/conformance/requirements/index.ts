import { CORE_REQUIREMENTS } from './core';
import { DATAMODEL_REQUIREMENTS } from './datamodel';
import type { Requirement } from './types';

export type { AuditContext, Requirement } from './types';

/**
 * Every requirement of the audit, in the order they run: one module per area, so that an area's
 * requirements live beside each other and a new area is one more import here.
 */
export const REQUIREMENTS: readonly Requirement[] = [...CORE_REQUIREMENTS, ...DATAMODEL_REQUIREMENTS];
