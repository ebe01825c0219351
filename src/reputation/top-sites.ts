import { readFileSync } from 'node:fs';
import { YojinError } from '../errors/index.js';

/**
 * Built-in top-sites list: popular registrable domains (global and Japanese) that a feed must never
 * list whole, because one bad URL on them (a shared file, a hosted page, a redirect) would block a
 * service millions use. Kept in code so the built CLI needs no data files; `reputation.top_sites_file`
 * points to a larger list (e.g. the Tranco top 10k, one registrable domain per line).
 */
export const DEFAULT_TOP_SITES: readonly string[] = `
google.com google.co.jp youtube.com facebook.com instagram.com twitter.com x.com wikipedia.org
yahoo.com yahoo.co.jp amazon.com amazon.co.jp linkedin.com reddit.com netflix.com microsoft.com
live.com office.com office365.com outlook.com microsoftonline.com sharepoint.com onedrive.com bing.com
msn.com skype.com windows.net azure.com azurewebsites.net azureedge.net apple.com icloud.com
github.com githubusercontent.com github.io gitlab.com bitbucket.org sourceforge.net npmjs.com
pypi.org docker.com stackoverflow.com stackexchange.com medium.com wordpress.com wordpress.org
blogger.com blogspot.com tumblr.com wix.com wixsite.com weebly.com squarespace.com shopify.com
myshopify.com godaddy.com sites.google.com googleusercontent.com googleapis.com gstatic.com
googlevideo.com doubleclick.net googletagmanager.com google-analytics.com goo.gl firebaseapp.com
web.app appspot.com cloudflare.com workers.dev pages.dev cloudfront.net amazonaws.com akamai.net
akamaihd.net akamaized.net fastly.net edgekey.net dropbox.com dropboxusercontent.com box.com
mega.nz mediafire.com wetransfer.com discord.com discordapp.com discord.gg telegram.org t.me
whatsapp.com whatsapp.net line.me naver.com tiktok.com bytedance.com zoom.us slack.com notion.so
notion.site atlassian.net atlassian.com trello.com salesforce.com force.com adobe.com paypal.com
ebay.com ebay.co.jp aliexpress.com alibaba.com taobao.com tmall.com baidu.com qq.com weibo.com
vk.com ok.ru mail.ru yandex.ru yandex.com bit.ly tinyurl.com ow.ly t.co buff.ly is.gd cutt.ly
rebrand.ly linktr.ee forms.gle docs.google.com drive.google.com typeform.com surveymonkey.com
jotform.com formstack.com airtable.com canva.com figma.com webflow.io vercel.app netlify.app
herokuapp.com glitch.me replit.com repl.co codepen.io jsdelivr.net unpkg.com cdnjs.com
rakuten.co.jp rakuten.com mercari.com nicovideo.jp nifty.com biglobe.ne.jp ocn.ne.jp so-net.ne.jp
docomo.ne.jp softbank.jp au.com kddi.com ntt.com ntt.co.jp nhk.or.jp asahi.com nikkei.com
yomiuri.co.jp mainichi.jp livedoor.com livedoor.jp fc2.com hatena.ne.jp ameblo.jp ameba.jp
pixiv.net goo.ne.jp excite.co.jp kakaku.com zozo.jp smbc.co.jp mufg.jp mizuhobank.co.jp
japanpost.jp jp-bank.japanpost.jp sagawa-exp.co.jp kuronekoyamato.co.jp gov.uk gov.jp go.jp
cnn.com bbc.co.uk bbc.com nytimes.com theguardian.com washingtonpost.com reuters.com bloomberg.com
forbes.com imdb.com spotify.com soundcloud.com twitch.tv vimeo.com dailymotion.com pinterest.com
quora.com booking.com airbnb.com tripadvisor.com expedia.com uber.com walmart.com target.com
bestbuy.com etsy.com samsung.com sony.com sony.co.jp nintendo.com nintendo.co.jp steampowered.com
steamcommunity.com epicgames.com roblox.com mozilla.org firefox.com opera.com brave.com
duckduckgo.com archive.org w3.org ietf.org example.com example.org example.net
`
  .split(/\s+/)
  .filter(Boolean);

/** The top-sites set: the built-in list, or the file named by `reputation.top_sites_file`. */
export function loadTopSites(file: string): Set<string> {
  if (!file) return new Set(DEFAULT_TOP_SITES);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new YojinError(
      'CONFIG_INVALID_VALUE',
      `reputation.top_sites_file ${file} cannot be read: ${(err as Error).message}`,
    );
  }
  const set = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim().toLowerCase();
    // Tranco-style "rank,domain" lines are accepted as well as bare names.
    const name = line.includes(',') ? line.split(',').pop()!.trim() : line;
    if (name) set.add(name.replace(/\.$/, ''));
  }
  return set;
}

/**
 * Addresses never listed from a feed: public DNS resolvers and similar shared infrastructure, where
 * one bad report would cut subscribers off from name resolution for everything (the Feodo sample in
 * ../shared/data carries an edited 8.8.8.8 line: exactly this case).
 */
export const PROTECTED_ADDRESSES: ReadonlySet<string> = new Set([
  '8.8.8.8',
  '8.8.4.4',
  '1.1.1.1',
  '1.0.0.1',
  '9.9.9.9',
  '149.112.112.112',
  '208.67.222.222',
  '208.67.220.220',
  '94.140.14.14',
  '94.140.15.15',
  '76.76.2.0',
  '76.76.10.0',
  '185.228.168.9',
  '2001:4860:4860::8888',
  '2001:4860:4860::8844',
  '2606:4700:4700::1111',
  '2606:4700:4700::1001',
  '2620:fe::fe',
  '2620:fe::9',
  '2620:119:35::35',
  '2620:119:53::53',
]);
