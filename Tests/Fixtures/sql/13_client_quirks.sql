-- Behaviours of the client that look odd but are what it sends.
-- A line starting with the word "delimiter" inside a statement is not followed by a newline:
SELECT 1 AS
delimiter_a
, 2 AS b;
-- After a comment, a statement starts with the space that replaced the comment:
/* header */ SELECT 'leading space';
-- Text glued to a comment gets a space, text after a blank does not get a second one:
SELECT 1/**/+/**/2 /**/ ;
-- "--" followed by a non-blank is an operator pair inside a statement:
SELECT 10 --2 AS twelve;
-- Vertical tab and form feed are blanks at the start of a statement:
 SELECT 'after vt and ff';
-- Trailing blanks and control characters are dropped before sending:
SELECT 'trailing' 	 ;
