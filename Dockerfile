# Build a static binary, then run it as a non-root user on a small base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/loanbot ./cmd/loanbot

FROM debian:bookworm-slim
# CA certificates for the Telegram/WeChat APIs, tzdata for LOANBOT_TZ, a CJK
# font for the labels of plan charts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata fonts-droid-fallback \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home loanbot
COPY --from=build /out/loanbot /usr/local/bin/loanbot
USER 10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/loanbot"]
CMD ["serve"]
