import type { Lang } from './i18n.js';

interface CategoryText {
  label: string;
  why: string;
}

/**
 * Each indicator category in plain words for the person in front of the page: what the site does and
 * what could happen to them. Categories follow the reputation list (src/reputation); anything else
 * gets the general text.
 */
const CATEGORIES: Record<string, Record<Lang, CategoryText>> = {
  'malware-distribution': {
    ja: {
      label: 'ウイルス（マルウェア）の配布',
      why: 'このサイトは、パソコンやスマートフォンを乗っ取ったり情報を盗んだりする不正なプログラム（ウイルス）を配布していることが確認されています。ページを開いただけで、またはファイルをダウンロードすると感染するおそれがあります。',
    },
    en: {
      label: 'Malware distribution',
      why: 'This site has been found handing out malicious software (a virus) that can take over your computer or phone or steal your information. Opening a page or downloading a file from it may infect your device.',
    },
  },
  phishing: {
    ja: {
      label: 'フィッシング（なりすまし）',
      why: 'このサイトは、銀行・通販・宅配業者などの本物のサイトになりすまし、IDやパスワード、クレジットカード番号などをだまし取ろうとしていることが確認されています。入力した情報は悪用されるおそれがあります。',
    },
    en: {
      label: 'Phishing (impersonation)',
      why: 'This site pretends to be a genuine one, such as a bank, shop or delivery company, to trick you into giving away IDs, passwords or card numbers. Anything you enter there may be misused.',
    },
  },
  exploit: {
    ja: {
      label: '攻撃サイト（脆弱性の悪用）',
      why: 'このサイトは、ブラウザやソフトウェアの弱点（脆弱性）を突いて、閲覧しただけでウイルスに感染させる仕掛けを持っていることが確認されています。',
    },
    en: {
      label: 'Attack site (exploits)',
      why: 'This site has been found to attack weaknesses in browsers and other software, so that just viewing it can infect your device.',
    },
  },
  c2: {
    ja: {
      label: 'ウイルスの指令サーバ（C&C）',
      why: 'この宛先は、ウイルスに感染した機器に指令を出したり盗んだ情報を受け取ったりするサーバであることが確認されています。通常の利用でアクセスすることはありません。お使いの機器がウイルスに感染している可能性があります。',
    },
    en: {
      label: 'Malware command server (C&C)',
      why: 'This destination is a server that sends orders to infected devices and collects what they steal. Nobody reaches it in normal use, so a device on your connection may be infected.',
    },
  },
  botnet: {
    ja: {
      label: 'ボットネット',
      why: 'この宛先は、ウイルスに感染した機器の集まり（ボットネット）の運用に使われていることが確認されています。',
    },
    en: {
      label: 'Botnet',
      why: 'This destination is used to run a network of infected devices (a botnet).',
    },
  },
  spam: {
    ja: {
      label: '迷惑メール・詐欺',
      why: 'このサイトは、迷惑メールで宣伝される詐欺や不正な販売に使われていることが確認されています。',
    },
    en: {
      label: 'Spam and fraud',
      why: 'This site is advertised in spam and used for fraud or illicit sales.',
    },
  },
};

const GENERAL: Record<Lang, CategoryText> = {
  ja: {
    label: '危険なサイト',
    why: 'このサイトは、セキュリティ機関などの情報により、利用者に被害を与えるおそれがある危険なサイトとして登録されています。',
  },
  en: {
    label: 'Dangerous site',
    why: 'Security organisations have reported this site as one that may harm the people who visit it.',
  },
};

export function describeCategory(category: string | undefined, lang: Lang): CategoryText {
  return (category && CATEGORIES[category]?.[lang]) || GENERAL[lang];
}

/** C&C listings are blocks for infected devices, not warnings for people: no "continue anyway". */
export function allowsContinue(category: string | undefined): boolean {
  return category !== 'c2' && category !== 'botnet';
}
