import type { ReadModel } from '../read-model';

/**
 * The managers' row for each pathway, open and closed (`pathways`): row.ts folds it from the
 * events through the domain's functions, columns.ts writes it, list.ts and where.ts read it,
 * ../figures.ts says each figure of it once, in TypeScript and in SQL.
 */
export const pathwaysReadModel: ReadModel = {
  name: 'pathways',
  table: 'pathways',
  migrations: [
    '001-read-model.sql',
    '002-agency-lists.sql',
    '003-stuck-and-report.sql',
    '004-personal-data-sealed.sql',
    '006-patient-summary.sql',
    '008-informed-agencies.sql',
    '009-handover-uncovered.sql',
  ],
  versions: [
    { version: 1, change: 'the rows as computed when read models were first versioned', rebuild: 'every pathway' },
    {
      version: 2,
      change:
        'ward, informed_agencies (the GP sent a discharge summary may read the stay) and handover_uncovered (a declined handover) filled',
      rebuild: 'every pathway',
    },
  ],
};
