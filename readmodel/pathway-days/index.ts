import type { ReadModel } from '../read-model';

/**
 * Each day a patient was in hospital with a discharge ready date (`pathway_days`): the SitRep's
 * returns and the 30-day trend (../sitrep.ts, ../trend.ts). rows.ts makes the days from the
 * events through the domain's drdDays and delayOnDay, columns.ts writes them; the projector's
 * daily roll (projections/day-roll.ts) adds each new day.
 */
export const pathwayDaysReadModel: ReadModel = {
  name: 'pathway-days',
  table: 'pathway_days',
  migrations: ['001-read-model.sql', '007-day-reason-agencies.sql'],
  versions: [
    { version: 1, change: 'the days as computed when read models were first versioned', rebuild: 'every pathway' },
    {
      version: 2,
      change: "reason_agencies filled: whom each day's delay reasons waited on (the trend filtered by agency)",
      rebuild: 'every pathway',
    },
  ],
};
