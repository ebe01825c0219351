/** Effect measurement and reporting (DESIGN §4 M): daily rollups, the monthly report, dashboard sign-in. */
export { type ActivityDims, METRICS, type Metric, recordActivity, rollupFromStore } from './activity.js';
export { registerReports } from './cli.js';
export { type MonthlyReport, monthlyReport, reportCsv } from './monthly.js';
export { reportRoutes } from './routes.js';
export { reportsService } from './service.js';
