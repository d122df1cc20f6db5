import type { ProblemCatalogEntry } from './catalog.ts'

/**
 * The built-in catalog: sixteen codes every service can answer with out of the box.
 * Users add codes, override these, or replace the catalog (`catalog` and `replaceCatalog` options).
 * `satisfies` keeps the literal types, so codes and members are typed from this very object.
 */
export const builtinCatalog = {
  insufficient_credits: {
    status: 403,
    title: 'The account has no credits left for this operation.',
    retryable: false,
    category: 'user',
    summary: 'The team or account that made the request has used up the credits this operation consumes.',
    occurs: [
      'The account balance reached zero before the operation started.',
      'The operation costs more credits than the account has left.'
    ],
    resolve: [
      'Check the remaining balance in the billing settings.',
      'Buy more credits or wait for the next billing period, then send the request again.'
    ]
  },
  feature_not_available: {
    status: 403,
    title: 'This feature is not included in the current plan.',
    retryable: false,
    category: 'user',
    summary: 'The request uses a capability that the caller\'s plan does not include.',
    occurs: [
      'The plan tier does not include the feature that was requested.',
      'The feature is in a limited preview the account is not enrolled in.'
    ],
    resolve: [
      'Compare the plans to find one that includes the feature.',
      'Upgrade the plan, or remove the option from the request.'
    ]
  },
  external_authentication_required: {
    status: 401,
    title: 'Authorization with an external service is required.',
    retryable: false,
    category: 'user',
    members: {
      provider: { type: 'string', description: 'The external service that must be authorized, for example `github`.' },
      auth_url: { type: 'string', format: 'uri', description: 'Where the user completes the authorization.' },
      inaccessible_repos: {
        type: 'array',
        items: { type: 'string' },
        description: 'Repositories the current authorization cannot reach.'
      }
    },
    summary: 'The operation needs access to an external service on the user\'s behalf, and that access has not been granted or has expired.',
    occurs: [
      'The user never connected the external account.',
      'The external token was revoked or expired.',
      'The authorization does not cover every repository the operation needs.'
    ],
    resolve: [
      'Open `auth_url` and complete the authorization with `provider`.',
      'Grant access to every repository listed in `inaccessible_repos`.',
      'Send the request again.'
    ],
    example: {
      members: {
        provider: 'github',
        auth_url: 'https://auth.example.com/connect/github',
        inaccessible_repos: ['acme/payments']
      }
    }
  },
  not_authorized: {
    status: 403,
    title: 'You are not allowed to perform this operation.',
    retryable: false,
    category: 'user',
    summary: 'The caller is authenticated but lacks the permission the operation requires.',
    occurs: [
      'The caller\'s role does not grant the permission.',
      'The resource belongs to another team or account.'
    ],
    resolve: [
      'Ask an administrator for the required role or permission.',
      'Check that the request targets a resource of your own team.'
    ]
  },
  invalid_request: {
    status: 400,
    title: 'The request contains invalid or missing parameters.',
    retryable: false,
    category: 'user',
    summary: 'The request was malformed or a parameter failed validation. `detail` names what is wrong; validation failures list each one in `errors`.',
    occurs: [
      'A required parameter is missing.',
      'A parameter has the wrong type or format.',
      'The body is not valid JSON.'
    ],
    resolve: [
      'Read `detail` and `errors`: each entry points at the parameter at fault.',
      'Fix the request and send it again; repeating it unchanged gives the same answer.'
    ],
    example: { detail: 'schedule_id is required' }
  },
  resource_not_found: {
    status: 404,
    title: 'The requested resource does not exist.',
    retryable: false,
    category: 'user',
    summary: 'The path, or a resource the request refers to, does not exist or is not visible to the caller.',
    occurs: [
      'The identifier is wrong or the resource was deleted.',
      'The route itself does not exist.',
      'The resource exists but belongs to an account the caller cannot see.'
    ],
    resolve: [
      'Check the identifier and the path in `instance`.',
      'List the resources you can access to find the right identifier.'
    ],
    example: { detail: 'task 42 does not exist' }
  },
  budget_exceeded: {
    status: 403,
    title: 'The spending budget for this account has been reached.',
    retryable: false,
    category: 'user',
    summary: 'A spending limit set on the account stops further paid operations until it is raised or reset.',
    occurs: [
      'The monthly budget an administrator configured has been used up.',
      'The operation would take spending past the budget.'
    ],
    resolve: [
      'Ask an administrator to raise the budget, or wait until it resets.',
      'Send the request again once the budget allows it.'
    ]
  },
  integration_disabled: {
    status: 403,
    title: 'The integration used by this request is disabled.',
    retryable: false,
    category: 'user',
    summary: 'The request goes through an integration that an administrator has turned off.',
    occurs: [
      'An administrator disabled the integration for the team.',
      'The integration was suspended after repeated failures.'
    ],
    resolve: [
      'Enable the integration in the team settings.',
      'Send the request again.'
    ]
  },
  integration_not_configured: {
    status: 400,
    title: 'The integration used by this request is not set up.',
    retryable: false,
    category: 'user',
    members: {
      integration_name: { type: 'string', description: 'The integration that needs setting up.' },
      setup_url: { type: 'string', format: 'uri', description: 'Where the setup can be completed.' }
    },
    summary: 'The request needs an integration whose setup has not been completed.',
    occurs: [
      'The integration was never installed for the team.',
      'Its setup stopped before a required step.'
    ],
    resolve: [
      'Open `setup_url` and finish setting up `integration_name`.',
      'Send the request again.'
    ],
    example: { members: { integration_name: 'slack', setup_url: 'https://app.example.com/settings/integrations/slack' } }
  },
  operation_not_supported: {
    status: 422,
    title: 'This operation is not supported for the resource in its current state.',
    retryable: false,
    category: 'user',
    summary: 'The request is well formed, but the resource cannot do what was asked, either ever or in its current state.',
    occurs: [
      'The resource type does not support the operation.',
      'The resource is in a state that forbids it, for example already finished.'
    ],
    resolve: [
      'Check the state of the resource before sending the request.',
      'Use an operation the resource supports.'
    ]
  },
  environment_setup_failed: {
    status: 500,
    title: 'The execution environment could not be set up.',
    retryable: false,
    category: 'user',
    summary: 'The environment the caller configured for the operation failed to start. Although the status is 500, the cause is in the caller\'s configuration, so it is a user error and is not retried.',
    occurs: [
      'A setup command in the environment configuration exited with an error.',
      'An image or dependency the configuration names could not be fetched.'
    ],
    resolve: [
      'Check the environment configuration and its setup commands.',
      'Run the setup steps locally to find the one that fails, fix it, and try again.'
    ]
  },
  content_policy_violation: {
    status: 403,
    title: 'The request was blocked by the content policy.',
    retryable: false,
    category: 'user',
    summary: 'Automated policy checks flagged the content of the request.',
    occurs: [
      'The input contains content the usage policy does not allow.'
    ],
    resolve: [
      'Review the usage policy and change the input.',
      'Contact support with the `trace_id` if you believe the block is a mistake.'
    ]
  },
  conflict: {
    status: 409,
    title: 'The request conflicts with the current state of the resource.',
    retryable: true,
    category: 'user',
    summary: 'Another change reached the resource first, or the resource is in a state that conflicts with the request. The caller may retry after refreshing its view.',
    occurs: [
      'Two requests changed the same resource at once.',
      'A resource with the same unique name already exists.'
    ],
    resolve: [
      'Fetch the current state of the resource.',
      'Reapply your change to it and send the request again.'
    ]
  },
  authentication_required: {
    status: 401,
    title: 'Authentication is required or the credentials are invalid.',
    retryable: false,
    category: 'platform',
    summary: 'The request carried no credentials, or its API key or token is invalid or expired.',
    occurs: [
      'The `Authorization` header is missing.',
      'The API key was revoked or has expired.'
    ],
    resolve: [
      'Send a valid API key in the `Authorization` header.',
      'Create a new key if the old one expired or was revoked.'
    ]
  },
  resource_unavailable: {
    status: 503,
    title: 'A resource needed for this request is temporarily unavailable.',
    retryable: true,
    category: 'platform',
    summary: 'A transient infrastructure problem kept the service from completing the request. It is retried automatically and usually clears by itself.',
    occurs: [
      'A dependency of the service is overloaded or restarting.',
      'Capacity for the operation is temporarily exhausted.'
    ],
    resolve: [
      'Wait and retry; honour `Retry-After` when the response carries it.',
      'Contact support with the `trace_id` if it persists.'
    ]
  },
  internal_error: {
    status: 500,
    title: 'An unexpected error occurred. Please try again later. If the issue persists, contact support.',
    retryable: true,
    category: 'platform',
    summary: 'A catch-all for failures on the service\'s side that match no other code. It is retried automatically.',
    occurs: [
      'An unexpected condition occurred on the server.',
      'A dependency failed or timed out.',
      'An error was thrown that maps to no catalog code.'
    ],
    resolve: [
      'Usually nothing: the request is retried automatically.',
      'If it persists, wait a few minutes and try again.',
      'Contact support and include the `trace_id` of the response.'
    ]
  }
} as const satisfies Record<string, ProblemCatalogEntry>

/** The type of the built-in catalog object. */
export type BuiltinCatalog = typeof builtinCatalog
