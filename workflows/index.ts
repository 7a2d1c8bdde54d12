export { dischargePathway } from './discharge-pathway';
