#!/bin/sh
# Vendor tool: rebuilds the alarm index.
echo "rebuilding alarm index"
echo "{\"progress\": {\"percent\": 100}}"
