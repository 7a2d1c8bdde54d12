import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { ManagerQueries } from './manager-queries';
import { PathwayStore } from './pathway-store';
import { Pathways } from './pathways';

/** The application: every use case, over one Temporal client. Transports hold one of these. */
export interface Application {
  pathways: Pathways;
  queries: ManagerQueries;
  /** Temporal access for what the bridges look up themselves (the patient's earlier pathways). */
  store: PathwayStore;
}

export function createApplication(client: Client, config: Config): Application {
  const store = new PathwayStore(client, config.temporal.taskQueue);
  const settings = { region: config.region, policyOverrides: config.policyOverrides, patientKeySecret: config.patientKeySecret };
  return { pathways: new Pathways(store, settings), queries: new ManagerQueries(store), store };
}

export { AppError } from './errors';
