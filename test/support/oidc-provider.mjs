// A real OpenID provider (the `oidc-provider` package) for the school sign-in tests, in a child process
// of its own because it is an ES module, which Jest's CommonJS module registry cannot load.
//
// Started with fork(); the client registrations come as JSON in OIDC_TEST_CLIENTS. Messages from the
// parent, each answered with { type: 'done', id }:
//   { type: 'accounts', accounts: { <accountId>: { email, preferred_username, … } } }  the directory
//   { type: 'tamper', claims: { aud: 'x' } }  the next id token is re-signed, with the provider's own
//                                             key, with these claims changed (a provider gone wrong)
// It sends { type: 'ready', issuer } once listening on a loopback port.
//
// The interaction the tests drive: the authorization endpoint redirects to /interaction/<uid>; a POST
// to /interaction/<uid>/login with `accountId=<id>` (form-encoded, with the provider's cookies) signs
// that account in and grants the requested scopes.
import { createServer } from 'node:http';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

const accounts = new Map();
let tamper = null;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: JSON.parse(process.env.OIDC_TEST_CLIENTS ?? '[]'),
  jwks: { keys: [signingJwk] },
  async findAccount(_ctx, id) {
    const claims = accounts.get(id);
    return claims ? { accountId: id, claims: async () => ({ sub: id, ...claims }) } : undefined;
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username', 'name'],
  },
  // Scope claims in the id token itself, as school identity providers put them.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['homeroom-test-idp-cookie-key'] },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !tamper || typeof ctx.body?.id_token !== 'string') return;
  const claims = { ...decodeJwt(ctx.body.id_token), ...tamper };
  tamper = null;
  ctx.body = {
    ...ctx.body,
    id_token: await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid, typ: 'JWT' })
      .sign(privateKey),
  };
});

const handle = provider.callback();
server.on('request', (req, res) => {
  const login = /^\/interaction\/([^/]+)\/login$/.exec(req.url ?? '');
  if (req.method === 'POST' && login) {
    finishLogin(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  handle(req, res);
});

async function finishLogin(req, res) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const accountId = new URLSearchParams(body).get('accountId');
  const details = await provider.interactionDetails(req, res);
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

process.on('message', (message) => {
  if (message.type === 'accounts') {
    for (const [id, claims] of Object.entries(message.accounts)) accounts.set(id, claims);
  } else if (message.type === 'tamper') {
    tamper = message.claims;
  }
  process.send({ type: 'done', id: message.id });
});
process.on('disconnect', () => process.exit(0));
process.send({ type: 'ready', issuer });
