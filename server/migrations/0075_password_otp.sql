-- Password + one-time code (issue 29, docs/login.md "Lösenord och engångskod"): for organisations
-- that let staff log in without the card. No personal data beyond the person's own phone number.

-- Which of the card-less methods an organisation allows (the card is always allowed). No row: none.
CREATE TABLE organisation_login_methods (
  organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
  password_sms boolean NOT NULL DEFAULT false,
  password_yubikey boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES staff (id)
);

-- A person's password (scrypt, server/auth/password/password-hash.ts: 'scrypt$N$r$p$salt$hash'),
-- the phone number her SMS codes go to, and the lockout count: `failed_attempts` consecutive
-- failures; at the limit `locked_at` is set and only the administrator's reset opens it again.
CREATE TABLE staff_credentials (
  staff_id uuid PRIMARY KEY REFERENCES staff (id),
  username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  password_hash text NOT NULL CHECK (password_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$'),
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  locked_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  updated_by uuid REFERENCES staff (id)
);

-- A YubiKey in Yubico OTP mode. `public_id` is the first 12 modhex characters of every OTP it
-- types. `verification` 'local': this server holds the key's AES-128 secret and private id and
-- checks the counters itself (last_counter/last_session: a replayed or older OTP is refused);
-- 'yubico': a configured Yubico validation service (protocol 2.0) checks it and holds the secret.
CREATE TABLE yubikeys (
  public_id text PRIMARY KEY CHECK (public_id ~ '^[cbdefghijklnrtuv]{12}$'),
  staff_id uuid NOT NULL REFERENCES staff (id),
  verification text NOT NULL CHECK (verification IN ('local', 'yubico')),
  aes_key text CHECK (aes_key ~ '^[0-9a-f]{32}$'),
  private_id text CHECK (private_id ~ '^[0-9a-f]{12}$'),
  last_counter integer NOT NULL DEFAULT -1,
  last_session integer NOT NULL DEFAULT -1,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES staff (id),
  revoked_at timestamptz,
  revoked_by uuid REFERENCES staff (id),
  CHECK (verification = 'yubico' OR (aes_key IS NOT NULL AND private_id IS NOT NULL))
);
CREATE INDEX yubikeys_staff_id_idx ON yubikeys (staff_id);

-- The second step of a password login: after the right password the workstation holds a random
-- 256-bit token (only its SHA-256 here) and has 5 minutes and 3 tries to give the one-time code.
-- An SMS code is kept only as HMAC-SHA256 under the row's own random key. Used once.
CREATE TABLE password_logins (
  token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  staff_id uuid NOT NULL REFERENCES staff (id),
  method text NOT NULL CHECK (method IN ('password_sms', 'password_yubikey')),
  code_key text,
  code_mac text,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_logins_expires_at_idx ON password_logins (expires_at);
