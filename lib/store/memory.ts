import type { AlertRecord, CreateEnvironmentResult, EnvironmentRecord, SifStore } from './store';

/**
 * A store that keeps everything in process memory: for tests and throw-away demos. Records are
 * copied in and out, so callers never share state with it.
 *
 * @example
 * createSifProvider({ store: new MemoryStore(), consumers });
 */
export class MemoryStore implements SifStore {
  private readonly environments = new Map<string, EnvironmentRecord>();
  private readonly alerts = new Map<string, AlertRecord>();
  private closed = false;

  async createEnvironment(record: EnvironmentRecord): Promise<CreateEnvironmentResult> {
    this.assertOpen();
    const existing = [...this.environments.values()].find((e) => e.identityKey === record.identityKey);
    if (existing) return { created: false, existing: copy(existing) };
    if (this.environments.has(record.id)) throw new Error(`environment ${record.id} exists`);
    this.environments.set(record.id, copy(record));
    return { created: true };
  }

  async getEnvironment(id: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe(this.environments.get(id));
  }

  async findEnvironmentBySessionHash(hash: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe([...this.environments.values()].find((e) => e.sessionTokenHash === hash));
  }

  async findEnvironmentByIdentity(identityKey: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe([...this.environments.values()].find((e) => e.identityKey === identityKey));
  }

  async replaceSessionHash(id: string, hash: string): Promise<boolean> {
    this.assertOpen();
    const env = this.environments.get(id);
    if (!env) return false;
    env.sessionTokenHash = hash;
    return true;
  }

  async deleteEnvironment(id: string): Promise<boolean> {
    this.assertOpen();
    if (!this.environments.delete(id)) return false;
    for (const [alertId, alert] of this.alerts) if (alert.environmentId === id) this.alerts.delete(alertId);
    return true;
  }

  async createAlert(record: AlertRecord): Promise<void> {
    this.assertOpen();
    if (!this.environments.has(record.environmentId)) throw new Error(`no environment ${record.environmentId}`);
    this.alerts.set(record.id, copy(record));
  }

  async listAlerts(environmentId: string, page: { offset: number; limit: number }): Promise<AlertRecord[]> {
    this.assertOpen();
    return [...this.alerts.values()]
      .filter((a) => a.environmentId === environmentId)
      .slice(page.offset, page.offset + page.limit)
      .map(copy);
  }

  async countAlerts(environmentId: string): Promise<number> {
    this.assertOpen();
    return [...this.alerts.values()].filter((a) => a.environmentId === environmentId).length;
  }

  async getAlert(environmentId: string, id: string): Promise<AlertRecord | undefined> {
    this.assertOpen();
    const alert = this.alerts.get(id);
    return alert && alert.environmentId === environmentId ? copy(alert) : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function copyMaybe<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
