export { casesConfigSchema } from './config.js';
export { advanceCases, type CycleReport, linkEvidence, resolveCase, runCycle } from './cycle.js';
export { enqueueNotice, enqueueNotices, evidenceSummary, readContact, renderNotice } from './notices.js';
export {
  annotateCase,
  type CaseDetail,
  type CaseFilter,
  closeCase,
  getCase,
  holdCase,
  listCases,
  markFixed,
  previewNotice,
  releaseCase,
  showCase,
} from './ops.js';
export { caseRoutes } from './routes.js';
export { type CaseRow, type CaseState, decide, STAGE_NAMES, type Step } from './schedule.js';
export { casesService } from './service.js';
