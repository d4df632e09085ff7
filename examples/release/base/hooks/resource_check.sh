#!/bin/sh
echo "{\"result\": {\"memory\": \"256MB\", \"disk\": \"1GB\"}}"
