-- Multi-byte characters: copied as they are, in strings, identifiers and comments (éè 中文 😀).
CREATE TABLE `données` (`nom` VARCHAR(20), `名前` VARCHAR(20), emoji VARCHAR(10)) DEFAULT CHARSET=utf8mb4;
INSERT INTO `données` VALUES ('é;è', '中文;字', '😀;');
SELECT `名前` AS `列` FROM `données` WHERE nom = 'é;è'; /* 注释; comment */ SELECT '😀' AS `x`;
SELECT 'x' AS/* a comment right before a multi-byte character: no space is added */é;
SELECT 'ü' /* ü in a comment */ , '€';
