import type { Client } from '@temporalio/client';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import type { Config } from '../config';
import type { Database } from '../readmodel/database';
import { ManagerQueries } from './manager-queries';
import { MyPlans } from './my-plan';
import { PathwayStore } from './pathway-store';
import { Pathways } from './pathways';

/**
 * The application: every use case, over one Temporal client (the pathways' live state and
 * commands) and the read model (lists, reports, timelines, pathways after their workflow is gone).
 * Transports hold one of these; a process without the read model (the Kafka bridges) passes none.
 */
export interface Application {
  pathways: Pathways;
  queries: ManagerQueries;
  /** The patient's and carer's own plan. */
  plans: MyPlans;
  /** Temporal access for what the bridges look up themselves (the patient's earlier pathways). */
  store: PathwayStore;
}

export function createApplication(client: Client, config: Config, readModel?: Database): Application {
  const store = new PathwayStore(client, config.temporal.taskQueue);
  const settings = { region: config.region, policyOverrides: config.policyOverrides, patientKeySecret: config.patientKeySecret };
  const stored = readModel && { db: readModel, cipher: PersonalDataCipher.fromSetting(config.codecKeys) };
  return { pathways: new Pathways(store, settings, stored), queries: new ManagerQueries(readModel, config.readModel), plans: new MyPlans(store, stored), store };
}

export { AppError } from './errors';
