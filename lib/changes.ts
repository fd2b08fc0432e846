import type { ObjectsChanged, SifEvents } from './events';
import type { GoessnerObject } from './payload/goessner';
import { textOf } from './payload/goessner';
import type { RegisteredService } from './services/registry';
import type { ChangeAction } from './services/types';

const ACTIONS: readonly ChangeAction[] = ['CREATE', 'UPDATE', 'DELETE'];

/**
 * Where every change to objects goes: the connector's own creates, updates and deletes, and the
 * changes the host app reports for what happened outside SIF. Emitted as `objects.changed`; change
 * tracking and events build on it.
 */
export class ChangeReporter {
  constructor(
    private readonly events: SifEvents,
    private readonly services: ReadonlyMap<string, RegisteredService>,
  ) {}

  /** Reports changes made through the requests connector. */
  fromConnector(change: Omit<ObjectsChanged, 'source' | 'ids'>, service: RegisteredService): void {
    if (change.objects.length === 0) return;
    this.events.emit('objects.changed', { ...change, ids: change.objects.map((o) => idOf(o, service)), source: 'connector' });
  }

  /**
   * Reports changes made outside SIF (the host's own screens, imports). Objects must carry their id
   * attribute; for DELETE the id is enough.
   *
   * @example
   * provider.changed('xStudents', 'UPDATE', [student]);
   */
  fromHost(serviceName: string, action: ChangeAction, objects: GoessnerObject[]): void {
    const service = this.services.get(serviceName);
    if (!service) throw new TypeError(`sif3-direct: changed(): no service ${serviceName}`);
    if (!ACTIONS.includes(action)) throw new TypeError(`sif3-direct: changed(): action must be one of ${ACTIONS.join(', ')}`);
    if (!Array.isArray(objects)) throw new TypeError('sif3-direct: changed(): objects must be an array');
    const ids = objects.map((o) => {
      const id = idOf(o, service);
      if (!id) throw new TypeError(`sif3-direct: changed(): every object needs its @${service.idAttribute}`);
      return id;
    });
    if (objects.length > 0) this.events.emit('objects.changed', { serviceName, action, objects, ids, source: 'host' });
  }
}

/** The id of an object of a service, or '' when it has none. */
export function idOf(object: GoessnerObject, service: RegisteredService): string {
  return textOf(object[`@${service.idAttribute}`]) ?? '';
}
