# A hash comment; the client drops it.
-- A dash-dash comment with a space.
--	A dash-dash comment with a tab.
--
--A dash-dash comment without a space, at the start of a statement: still a comment.
CREATE TABLE comments (a INT, b INT); -- trailing comment; with a semicolon
INSERT INTO comments VALUES (1, 2); # trailing hash comment; also with a semicolon
SELECT 5 --1;
SELECT 5 --1
, 2;
SELECT a -- the first column
     , b # the second column
  FROM comments;
SELECT/* glued */1, 2/* glued */+3 /* spaced */ , 4;
/* A comment before the statement */SELECT 'comment before';
/* A comment on its own line */
SELECT 'after a comment line';
SELECT 1 /* a comment
spanning ; several
lines */ + 1;
/* a comment spanning
lines, before */ SELECT 'after a multi-line comment';
SELECT 'a' /* it's fine: quotes in comments do not open strings */, "b" -- it's fine here too
;
SELECT 1 /*+ an optimizer hint the client drops */ + 2;
SELECT 1 /* a /*/ + 2 */ + 3;
SELECT 3 -- comment at the very end of the file
