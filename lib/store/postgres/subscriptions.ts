import type { CreateSubscriptionResult, SubscriptionRecord } from '../queue-records';
import type { SifStore } from '../store';
import type { PgDb } from './db';
import { num } from './db';
import type { SubscriptionRow } from '../rows';
import { toSubscription } from '../rows';

/** The part of the store that keeps event subscriptions. */
export type SubscriptionTables = Pick<SifStore, 'createSubscription' | 'getSubscription' | 'listSubscriptions' | 'deleteSubscription' | 'subscriptionsTo'>;

/**
 * Subscriptions on PostgreSQL: one per environment, service, zone, context and service type, kept
 * by a unique constraint (so concurrent creates cannot both succeed).
 *
 * @example
 * const subscriptions = postgresSubscriptions(db);
 * const outcome = await subscriptions.createSubscription(record);
 */
export function postgresSubscriptions(db: PgDb): SubscriptionTables {
  const createSubscription = async (record: SubscriptionRecord): Promise<CreateSubscriptionResult> => {
    // The same subscription may be deleted between a conflict and the read of it: try again then.
    for (;;) {
      // A REQUEST subscription also conflicts with another environment's there (subscriptions_one_provider).
      const inserted = await db.query(
        `INSERT INTO subscriptions (id, environment_id, queue_id, zone_id, context_id, service_type, service_name, created_at,
           message_type, service_sub_type)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT DO NOTHING`,
        [
          record.id, record.environmentId, record.queueId, record.zoneId, record.contextId, record.serviceType, record.serviceName,
          record.createdAt, record.messageType ?? null, record.serviceSubType ?? null,
        ],
      );
      if (num(inserted.rowCount) > 0) return { created: true };
      if (record.messageType === 'REQUEST') {
        const [provider] = await db.rows<SubscriptionRow>(
          `SELECT * FROM subscriptions WHERE message_type = 'REQUEST' AND service_name = $1 AND zone_id = $2 AND context_id = $3`,
          [record.serviceName, record.zoneId, record.contextId],
        );
        if (provider) return { created: false, existing: toSubscription(provider) };
      }
      const [existing] = await db.rows<SubscriptionRow>(
        `SELECT * FROM subscriptions
         WHERE environment_id = $1 AND service_name = $2 AND zone_id = $3 AND context_id = $4 AND service_type = $5`,
        [record.environmentId, record.serviceName, record.zoneId, record.contextId, record.serviceType],
      );
      if (existing) return { created: false, existing: toSubscription(existing) };
    }
  };
  return {
    createSubscription,
    getSubscription: async (environmentId, id) => {
      const [row] = await db.rows<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1 AND environment_id = $2', [id, environmentId]);
      return row ? toSubscription(row) : undefined;
    },
    listSubscriptions: async (environmentId) =>
      (await db.rows<SubscriptionRow>('SELECT * FROM subscriptions WHERE environment_id = $1 ORDER BY seq', [environmentId])).map(toSubscription),
    deleteSubscription: async (environmentId, id) =>
      num((await db.query('DELETE FROM subscriptions WHERE id = $1 AND environment_id = $2', [id, environmentId])).rowCount) > 0,
    subscriptionsTo: async (serviceName) =>
      (await db.rows<SubscriptionRow>('SELECT * FROM subscriptions WHERE service_name = $1 ORDER BY seq', [serviceName])).map(toSubscription),
  };
}

