// Moved to readmodel/pathways/list.ts (the pathways read model's folder). Kept only while app/,
// being reworked in parallel (issue 26 item 1), imports this path.
export * from './pathways/list';
