import type { Client } from '@temporalio/client';
import { PersonalDataCipher } from '../codec/personal-data-cipher';
import type { Config } from '../config';
import type { Database } from '../readmodel/database';
import { Admissions } from './admissions';
import { ManagerQueries } from './manager-queries';
import { MyPlans } from './my-plan';
import { PathwayWorkflows } from './pathway-workflows';
import { Pathways } from './pathways';

/**
 * The application: every use case, over one Temporal client (the pathways' live state and
 * commands) and the read model (lists, reports, timelines, pathways after their workflow is gone).
 * Transports hold one of these; a process without the read model (the Kafka bridges) passes none.
 */
export interface Application {
  pathways: Pathways;
  queries: ManagerQueries;
  /** The ADT feed's use cases: admissions (readmissions among them), discharges, cancellations. */
  admissions: Admissions;
  /** The patient's and carer's own plan. */
  plans: MyPlans;
}

export function createApplication(client: Client, config: Config, readModel?: Database): Application {
  const store = new PathwayWorkflows(client, config.temporal.taskQueue);
  const settings = {
    region: config.region,
    policyOverrides: config.policyOverrides,
    patientKeySecret: config.patientKeySecret,
  };
  const stored = readModel && { db: readModel, cipher: PersonalDataCipher.fromSetting(config.codecKeys) };
  const pathways = new Pathways(store, settings, stored);
  return {
    pathways,
    queries: new ManagerQueries(readModel, config.readModel),
    admissions: new Admissions(store, pathways, config.patientKeySecret),
    plans: new MyPlans(store, stored),
  };
}

export { AppError } from './errors';
