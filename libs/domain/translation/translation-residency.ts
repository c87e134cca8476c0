/**
 * Where message text may be sent for translation: AWS Translate in the United States only (DESIGN.md
 * invariant 6). The configuration is checked against these rules at start-up, and the AWS adapter
 * always passes the endpoint it computed from them, so no SDK default or AWS_ENDPOINT_URL_* variable
 * can send text anywhere else.
 */

export const US_TRANSLATE_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'us-gov-west-1',
] as const;

export type UsTranslateRegion = (typeof US_TRANSLATE_REGIONS)[number];

export const US_REGION_LIST = US_TRANSLATE_REGIONS.join(', ');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const ENVIRONMENTS_ALLOWING_LOOPBACK = new Set(['local', 'test']);

export function isUsTranslateRegion(region: string): region is UsTranslateRegion {
  return (US_TRANSLATE_REGIONS as readonly string[]).includes(region);
}

/** `SourceLanguageCode: 'auto'` needs Amazon Comprehend, which us-west-1 does not have. */
export function regionSupportsAutoDetect(region: UsTranslateRegion): boolean {
  return region !== 'us-west-1';
}

/** The public AWS Translate endpoint of a region, FIPS 140 validated if asked for. */
export function translateEndpointFor(region: UsTranslateRegion, fips: boolean): string {
  return `https://${fips ? 'translate-fips' : 'translate'}.${region}.amazonaws.com`;
}

export interface EndpointRules {
  region: UsTranslateRegion;
  fips: boolean;
  environment: 'local' | 'test' | 'production';
}

/**
 * Why an explicit endpoint is not allowed, or undefined when it is. Allowed: the region's AWS Translate
 * endpoints (`translate.<region>.amazonaws.com`, `translate-fips.<region>.amazonaws.com`, or an
 * interface VPC endpoint `vpce-….translate.<region>.vpce.amazonaws.com`) over https, in the configured
 * region; and, in the local and test environments only, a loopback address (a stand-in server).
 */
export function endpointProblem(endpoint: string, rules: EndpointRules): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'must be a URL such as https://translate.us-east-1.amazonaws.com';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    return 'must be a bare origin without path, query or fragment';
  }
  const host = url.hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(host)) {
    if (!ENVIRONMENTS_ALLOWING_LOOPBACK.has(rules.environment)) {
      return `may be a loopback address only when HOMEROOM_ENV is local or test (it is ${rules.environment})`;
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'must be an http(s) URL';
  }
  const awsRegion = awsTranslateHostRegion(host);
  if (awsRegion === undefined) {
    return `must be an AWS Translate endpoint in a US region (${US_REGION_LIST}), e.g. ${translateEndpointFor(rules.region, rules.fips)}; ${host} is not one`;
  }
  if (!isUsTranslateRegion(awsRegion.region)) {
    return `points at ${awsRegion.region}, outside the US regions allowed for message text (${US_REGION_LIST})`;
  }
  if (awsRegion.region !== rules.region) {
    return `points at ${awsRegion.region} but AWS_TRANSLATE_REGION is ${rules.region}; they must agree`;
  }
  if (url.protocol !== 'https:') return 'must use https (plain http is allowed for loopback stand-ins only)';
  if (url.port !== '' && url.port !== '443') return 'must use the default https port';
  if (rules.fips && !awsRegion.fips) {
    return 'is not a FIPS endpoint but TRANSLATION_USE_FIPS is true; use translate-fips.<region>';
  }
  return undefined;
}

function awsTranslateHostRegion(host: string): { region: string; fips: boolean } | undefined {
  const match =
    /^(translate(-fips)?)\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host) ??
    /^vpce-[a-z0-9-]+\.(translate(-fips)?)\.([a-z0-9-]+)\.vpce\.amazonaws\.com$/.exec(host);
  return match ? { region: match[3]!, fips: match[2] !== undefined } : undefined;
}
