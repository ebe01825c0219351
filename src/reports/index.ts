/** Effect measurement and reporting (DESIGN §4 M): daily rollups, the monthly report, dashboard sign-in. */
export { METRICS, recordActivity, rollupFromStore, type Metric, type ActivityDims } from './activity.js';
export { monthlyReport, reportCsv, type MonthlyReport } from './monthly.js';
export { reportRoutes } from './routes.js';
export { registerReports } from './cli.js';
export { reportsService } from './service.js';
