import { onEveryStore } from './every-store';
import { remoteStoreContract } from './remote-contract';

// The remote-provider part of the store contract, on every store.

onEveryStore('PostgreSQL remote-provider store contract', [remoteStoreContract]);
