import { onEveryStore } from './every-store';
import { jobStoreContract } from './job-contract';

// The job tables of every store (functional services), against one contract.

onEveryStore('PostgreSQL job store contract', [jobStoreContract]);
