-- Usernames are stored canonical from now on (libs/identity/canonical-identifiers.ts): Unicode NFC,
-- then without surrounding White_Space (the characters JavaScript's String.prototype.trim removes).
-- Rows written before are brought to that form, so sign-in (which looks up the canonical form) still
-- finds them. A row whose canonical form another row of its district already has, or would get, is
-- left as it was: the unique (district_id, username) constraint decides nothing here, an admin does.
UPDATE "users" AS "u"
SET "username" = "c"."canonical"
FROM (
  SELECT "id",
         "canonical",
         COUNT(*) OVER (PARTITION BY "district_id", "canonical") AS "holders"
  FROM (
    SELECT "id",
           "district_id",
           btrim(normalize("username", NFC),
                 U&'\0009\000A\000B\000C\000D\0020\00A0\1680\2000\2001\2002\2003\2004\2005\2006\2007\2008\2009\200A\2028\2029\202F\205F\3000\FEFF') AS "canonical"
    FROM "users"
    WHERE "username" IS NOT NULL
  ) AS "spelled"
) AS "c"
WHERE "u"."id" = "c"."id"
  AND "c"."holders" = 1
  AND "u"."username" <> "c"."canonical";
