# faust-badges init: publish the badge config held in FAUST_BADGES_CONFIG (run by `do init`).
{% if FAUST_BADGES_CONFIG -%}
faust-badges config validate /etc/faust-badges/badges.yaml
# Kafka may still be starting: retry the publish (a bad config has already failed above).
attempt=1
until faust-badges config apply /etc/faust-badges/badges.yaml; do
  if [ "$attempt" -ge 30 ]; then
    echo "faust-badges: Kafka did not accept the config after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 5
done
{%- else -%}
echo "faust-badges: FAUST_BADGES_CONFIG is empty, no badge config applied; publish one with"
echo "  tutor config save --set FAUST_BADGES_CONFIG=\"\$(cat badges.yaml)\" && tutor local do init --limit faust-badges"
{%- endif %}
