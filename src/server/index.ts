/**
 * Slipway's server side: git webhooks (verification, push parsing, which apps to refresh) and the
 * HTTP endpoint that receives them.
 * @module
 */
export { startWebhookServer, type WebhookServer, type WebhookServerOptions } from './http.ts';
export {
  appFilesHaveChanged,
  appRefreshPaths,
  appsToRefresh,
  MANIFEST_GENERATE_PATHS,
  type PushEvent,
  parseGitHubPush,
  parseRevision,
  pathMatch,
  sourceRevisionHasChanged,
  verifyGitHubSignature,
  type WebhookApp,
  webURLRegex,
} from './webhook.ts';
