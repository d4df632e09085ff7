#!/bin/sh
echo "{\"result\": {\"ok\": true}}"
