export { type Deliverer, type Delivery, signWebhook, smtpDeliverer, webhookDeliverer } from './channels.js';
export { type Dsn, parseDsn } from './dsn.js';
export {
  type Channel,
  type EmailPayload,
  enqueue,
  instanceId,
  listNotices,
  messageIdFor,
  type NoticeRow,
  type NoticeStatus,
  noticeKey,
  type OutboxStatus,
  outboxStatus,
  type Payload,
  type PostalPayload,
  recordBounce,
  type WebhookPayload,
} from './outbox.js';
export { exportPostal } from './postal.js';
export { type SendReport, sendDue } from './sender.js';
export {
  familyKey,
  findTemplate,
  type Lang,
  loadTemplates,
  type Rendered,
  render,
  renderBilingual,
  stageLabel,
  TEMPLATE_VARS,
} from './templates.js';
