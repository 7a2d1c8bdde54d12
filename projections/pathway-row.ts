// Moved to readmodel/pathways/row.ts (the pathways read model's folder) and domain/delay.ts
// (delayDay). Kept only while app/, being reworked in parallel (issue 26 item 1), imports this path.
export { delayDay } from '../domain';
export { foldTimeline } from '../readmodel/pathways/row';
