"""What chorus.orgs stores about people, and for how long (docs/protocols/reports.md §9).

- Organisation: its name and slug, as the operator registered them; kept while it exists.
- Membership: a staff user id, role, the display name the organisation chose, optionally an
  email address for "something changed" mails (set and cleared by the operator with
  `chorus member-email`; nothing else is sent to it), when the member was added and removed.
  A removed member's row stays (the audit log's actor ids and the case keys sealed to their key
  keep their meaning); the user can no longer sign in, and no mail goes to their address.
- HandlerKey: a public key and a private key wrapped under the member's passphrase, which the
  server cannot open. Retired, never deleted, while cases sealed to it may exist.

Nothing here is about survivors. A case's rows point at memberships and keys (assignee,
exclusions, sealed keys, authors), which is one more reason rows are never deleted here; cases
themselves expire on their own schedule (chorus.reports.retention). Erasing an organisation is
a later slice (with its cases).
"""
