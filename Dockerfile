# Builds a small static image that runs jkngate as a non-root user.
#   docker build -t jkngate .
#   docker run -p 8080:8080 -e JKNGATE_BPJS_URL=... jkngate
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/jkngate ./cmd/jkngate \
 && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/bpjs-sim ./cmd/bpjs-sim \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/jkngate /out/bpjs-sim /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV JKNGATE_ADDR=:8080 JKNGATE_DATABASE_URL=/data/jkngate.db
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/jkngate"]
CMD ["serve"]
