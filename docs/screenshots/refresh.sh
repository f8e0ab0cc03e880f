#!/bin/sh
# Copy the German screenshots of a browser-test run into docs/screenshots/, compressed with
# pngquant (apt-get install pngquant). Run from the repository's root after the tests, e.g.
#   AMTSWEG_SCREENSHOTS=/tmp/shots make test-e2e && sh docs/screenshots/refresh.sh /tmp/shots
set -eu
from="${1:-artifacts/screenshots}"
to="$(dirname "$0")"
# run's name -> committed name
while read -r shot name; do
	for width in desktop phone; do
		pngquant --force --quality=50-80 --output "$to/$name-$width.png" \
			"$from/$shot-$width.png"
	done
done <<'MAP'
de-01-home 01-home
de-02-municipality 02-municipality
de-03-service 03-service
de-04-step-1 04-step-1
de-05-error 05-error
de-06-step-hund 06-step-hund
de-07-step-befreiung 07-step-befreiung
de-08-summary 08-summary
de-09-confirmation 09-confirmation
de-10-status 10-status
de-bundid-01-test-idp 11-test-idp
de-bundid-02-prefilled 12-prefilled
de-citizen-01-request 13-mailbox-request
de-clerk-01-inbox 14-clerk-inbox
de-clerk-03-decision 15-clerk-decision
de-citizen-02-decision 16-mailbox-decision
MAP
