import type { ReadModel } from '../read-model';

/**
 * The managers' row for each pathway, open and closed (`pathways`): row.ts folds it from the
 * events through the domain's functions, columns.ts writes it, list.ts and where.ts read it,
 * ../figures.ts says each figure of it once, in TypeScript and in SQL.
 */
export const pathwaysReadModel: ReadModel = {
  name: 'pathways',
  table: 'pathways',
  migrations: ['001-read-model.sql', '002-agency-lists.sql', '003-stuck-and-report.sql', '004-personal-data-sealed.sql'],
  versions: [{ version: 1, change: 'the rows as computed when read models were first versioned', rebuild: 'every pathway' }],
};
