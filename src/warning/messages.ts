import type { Lang } from './i18n.js';
import type { Listing } from './lookup.js';
import type { ReportProblem } from './report.js';

/** Everything the page says, in both languages. Placeholders are filled by functions. */
export interface Messages {
  langName: string;
  switchLabel: string;
  skip: string;
  title: string;
  h1: string;
  lead: (org: string) => string;
  factsHeading: string;
  siteLabel: string;
  urlLabel: string;
  categoryLabel: string;
  match: Record<Listing['match'], (value: string) => string>;
  notListed: string;
  bypassActive: string;
  adviceHeading: string;
  advice: string[];
  adviceInfected: string;
  contactHeading: string;
  contactIntro: (name: string) => string;
  phone: string;
  hours: string;
  web: string;
  email: string;
  whyHeading: string;
  why: (minutes: number) => string;
  optOut: string;
  optOutViaHelpdesk: (name: string) => string;
  reportHeading: string;
  reportIntro: string;
  reasonLabel: string;
  reporterLabel: string;
  contactLabel: string;
  optional: string;
  required: string;
  submit: string;
  problems: Record<ReportProblem, string>;
  problemsHeading: string;
  continueHeading: string;
  continueText: (minutes: number) => string;
  continueLink: (host: string) => string;
  continueExpiry: (minutes: number) => string;
  noContinue: string;
  serviceH1: string;
  serviceText: (org: string) => string;
  refusedTitle: string;
  refused: Record<'malformed' | 'signature' | 'expired' | 'other-host' | 'not-allowed', string>;
  retry: string;
  thanksTitle: string;
  thanksText: string;
  thanksContact: string;
  back: string;
  formInvalid: string;
  rateLimited: string;
  tooLarge: string;
  reportFailed: string;
  errorTitle: string;
  footer: (org: string) => string;
}

const ja: Messages = {
  langName: '日本語',
  switchLabel: '言語',
  skip: '本文へ移動',
  title: '警告：危険なサイトです',
  h1: 'このサイトへのアクセスは危険です',
  lead: (org) =>
    `${org}は、お客さまがアクセスしようとしたサイトを危険なサイトとして検知したため、表示を止めました。`,
  factsHeading: '止めたアクセス',
  siteLabel: 'サイト',
  urlLabel: 'アドレス（URL）',
  categoryLabel: '危険の種類',
  match: {
    url: () => 'このページ（URL）が危険なサイトの一覧に登録されています。',
    domain: (v) => `このサイト全体（${v}）が危険なサイトの一覧に登録されています。`,
    'site-pages': () => 'このサイトの一部のページが危険なサイトの一覧に登録されています。',
  },
  notListed:
    'このサイトは現在、危険なサイトの一覧に登録されていません（登録が解除された直後の可能性があります）。しばらくしてから、もう一度アクセスしてください。',
  bypassActive:
    '「危険を承知で進む」が選ばれています。お使いの機器が以前の応答を覚えているため、1〜2分ほどこのページが表示されることがあります。少し待ってから再読み込みしてください。',
  adviceHeading: 'どうすればよいですか',
  advice: [
    'このページを閉じるか、ブラウザの「戻る」で前のページに戻ってください。',
    'メールやSNS、広告のリンクからここに来た場合は、そのメッセージを信用しないでください。IDやパスワード、カード番号を入力しないでください。',
    'すでにファイルをダウンロードしたり情報を入力したりした場合は、ファイルを開かずにウイルス対策ソフトで検査し、入力したパスワードを変更してください。',
  ],
  adviceInfected:
    'お使いの機器がウイルスに感染しているおそれがあります。ウイルス対策ソフトで検査してください。',
  contactHeading: 'お問い合わせ',
  contactIntro: (name) => `ご不明な点は${name}へお問い合わせください。`,
  phone: '電話',
  hours: '受付時間',
  web: 'Webページ',
  email: 'メール',
  whyHeading: 'このページが表示される理由',
  why: (m) =>
    `このページは、ご契約時にご同意いただいた「危険サイト注意喚起サービス」により表示されています。このページの表示にあたり、アクセスしようとしたURLやお客さまのIPアドレスは記録しません。「危険を承知で進む」を選んだ場合に限り、進めるようにするためにIPアドレスとサイト名を${m}分間だけ保持します。`,
  optOut: 'このサービスはいつでも停止できます：',
  optOutViaHelpdesk: (name) =>
    `このサービスはいつでも停止できます。停止をご希望の場合は${name}へご連絡ください。`,
  reportHeading: '誤りを報告する',
  reportIntro:
    'このサイトが安全だと思われる場合はお知らせください。担当者が確認し、誤りであれば一覧から削除します。',
  reasonLabel: '安全だと思われる理由',
  reporterLabel: 'お名前',
  contactLabel: '連絡先（メールアドレスまたは電話番号。確認結果のご連絡用）',
  optional: '（任意）',
  required: '（必須）',
  submit: '報告する',
  problems: {
    'reason-missing': '理由を入力してください。',
    'reason-too-long': '理由は2000文字以内で入力してください。',
    'reporter-too-long': 'お名前は100文字以内で入力してください。',
    'contact-too-long': '連絡先は200文字以内で入力してください。',
    'contact-invalid': '連絡先にはメールアドレスまたは電話番号を入力してください。',
  },
  problemsHeading: '入力内容を確認してください',
  continueHeading: '危険を承知で進む',
  continueText: (m) =>
    `おすすめしません。このサイトが安全だと確信できる場合に限り、次のリンクから進めます。${m}分間、お使いの回線からこのサイトへの警告を表示しません。`,
  continueLink: (h) => `${h} に進む（危険）`,
  continueExpiry: (m) => `このリンクは${m}分間有効です。`,
  noContinue: 'このサイトはウイルスの通信先のため、進むことはできません。',
  serviceH1: '危険サイト注意喚起サービス',
  serviceText: (org) =>
    `このサーバは、${org}の危険サイト注意喚起サービスの警告ページです。危険なサイトにアクセスしようとした場合に、その理由と対処方法をお知らせします。`,
  refusedTitle: 'このリンクは使えません',
  refused: {
    malformed: 'リンクが正しくありません。',
    signature: 'リンクが正しくありません（書き換えられた可能性があります）。',
    expired: 'リンクの有効期限が切れています。',
    'other-host': 'このリンクは別のサイトのために発行されたものです。',
    'not-allowed': 'このサイトへは進めません。',
  },
  retry: 'もう一度サイトにアクセスし、新しく表示される警告ページから操作してください。',
  thanksTitle: 'ご報告ありがとうございました',
  thanksText: '報告を受け付けました。担当者が内容を確認し、誤りであれば一覧から削除します。',
  thanksContact: '確認の結果は、ご入力の連絡先にお知らせします。',
  back: '警告ページに戻る',
  formInvalid:
    'フォームの有効期限が切れたか、正しくありません。ページを再読み込みしてから、もう一度送信してください。',
  rateLimited: '短い時間に多くの報告が送信されました。しばらくしてから、もう一度お試しください。',
  tooLarge: '送信された内容が長すぎます。短くしてから、もう一度送信してください。',
  reportFailed: '現在、報告を受け付けられません。お手数ですが、お問い合わせ先へご連絡ください。',
  errorTitle: '送信できませんでした',
  footer: (org) => `${org} 危険サイト注意喚起サービス`,
};

const en: Messages = {
  langName: 'English',
  switchLabel: 'Language',
  skip: 'Skip to content',
  title: 'Warning: dangerous site',
  h1: 'This site may harm you',
  lead: (org) => `${org} stopped this site from loading because it is known to be dangerous.`,
  factsHeading: 'What was stopped',
  siteLabel: 'Site',
  urlLabel: 'Address (URL)',
  categoryLabel: 'Kind of danger',
  match: {
    url: () => 'This page (URL) is on the list of dangerous sites.',
    domain: (v) => `The whole site (${v}) is on the list of dangerous sites.`,
    'site-pages': () => 'Some pages of this site are on the list of dangerous sites.',
  },
  notListed:
    'This site is not on the list of dangerous sites any more (it may have been removed a moment ago). Please try again in a little while.',
  bypassActive:
    'You chose to continue. Your device may remember the earlier answer for a minute or two and show this page meanwhile; wait a moment and reload.',
  adviceHeading: 'What should I do?',
  advice: [
    'Close this page, or use your browser’s Back button to return to where you were.',
    'If a link in an e-mail, message or advert brought you here, do not trust that message. Do not enter IDs, passwords or card numbers.',
    'If you already downloaded a file or entered information, do not open the file, scan your device with security software, and change the passwords you entered.',
  ],
  adviceInfected: 'A device on your connection may be infected. Scan it with security software.',
  contactHeading: 'Need help?',
  contactIntro: (name) => `If you have questions, contact ${name}.`,
  phone: 'Phone',
  hours: 'Opening hours',
  web: 'Web',
  email: 'E-mail',
  whyHeading: 'Why am I seeing this?',
  why: (m) =>
    `This page is shown by the dangerous-site warning service you agreed to in your contract. Showing it does not record the address you tried to visit or your IP address. Only if you choose to continue do we keep your IP address and the site’s name, for ${m} minutes, so that you are let through.`,
  optOut: 'You can turn this service off at any time: ',
  optOutViaHelpdesk: (name) => `You can turn this service off at any time; to do so, contact ${name}.`,
  reportHeading: 'Report a mistake',
  reportIntro:
    'If you believe this site is safe, tell us. We will check it and remove it from the list if it was listed by mistake.',
  reasonLabel: 'Why you believe the site is safe',
  reporterLabel: 'Your name',
  contactLabel: 'Contact (e-mail address or phone number, to tell you the outcome)',
  optional: ' (optional)',
  required: ' (required)',
  submit: 'Send report',
  problems: {
    'reason-missing': 'Please say why you believe the site is safe.',
    'reason-too-long': 'Please keep the reason under 2000 characters.',
    'reporter-too-long': 'Please keep your name under 100 characters.',
    'contact-too-long': 'Please keep the contact under 200 characters.',
    'contact-invalid': 'Please give an e-mail address or a phone number as contact.',
  },
  problemsHeading: 'Please check what you entered',
  continueHeading: 'Continue anyway',
  continueText: (m) =>
    `Not recommended. Only if you are sure this site is safe, you can continue with the link below. For ${m} minutes your connection will not be warned about this site.`,
  continueLink: (h) => `Continue to ${h} (unsafe)`,
  continueExpiry: (m) => `This link is valid for ${m} minutes.`,
  noContinue: 'This destination is used by malware, so it cannot be reached.',
  serviceH1: 'Dangerous-site warning service',
  serviceText: (org) =>
    `This server shows the warning pages of the dangerous-site warning service of ${org}. When you try to reach a dangerous site, it tells you why and what to do.`,
  refusedTitle: 'This link cannot be used',
  refused: {
    malformed: 'The link is not valid.',
    signature: 'The link is not valid (it may have been altered).',
    expired: 'The link has expired.',
    'other-host': 'The link was issued for another site.',
    'not-allowed': 'This site cannot be reached.',
  },
  retry: 'Visit the site again and use the new warning page that appears.',
  thanksTitle: 'Thank you for your report',
  thanksText:
    'We received your report. We will check the site and remove it from the list if it was listed by mistake.',
  thanksContact: 'We will tell you the outcome at the contact you gave.',
  back: 'Back to the warning page',
  formInvalid: 'The form has expired or is not valid. Please reload the page and send it again.',
  rateLimited: 'Too many reports were sent in a short time. Please try again later.',
  tooLarge: 'What you sent is too long. Please shorten it and send it again.',
  reportFailed: 'We cannot take reports right now. Please contact the helpdesk instead.',
  errorTitle: 'Could not send',
  footer: (org) => `${org} — dangerous-site warning service`,
};

export const MESSAGES: Record<Lang, Messages> = { ja, en };
