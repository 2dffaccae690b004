"""Imports every capability's models, so that the mappers and Alembic see the whole schema."""
from network.auth.models import LoginSession, PasswordResetRequest, Person  # noqa: F401
from network.challenges.models import Challenge  # noqa: F401
from network.files.models import StoredFile  # noqa: F401
from network.gatherings.models import Gathering, GatheringDay, Material, ProgrammeItem, Registration  # noqa: F401
from network.networks.models import Membership, Network, NetworkInvitation, NetworkRole  # noqa: F401
from network.organisations.models import County, Organisation  # noqa: F401
from network.outbox.models import OutboxAttachment, OutboxMessage  # noqa: F401
from network.challenges.models import MunicipalityChallenge  # noqa: F401
from network.groups.models import Group, GroupMember, Grouping  # noqa: F401
from network.growth.models import GrowthOverride, GrowthSettings  # noqa: F401
from network.planning.models import AdviceAssessment, PlanningStatus  # noqa: F401
from network.assignments.models import (  # noqa: F401
    Assignment, AssignmentReminder, Comment, NotificationPreference, PendingCommentNotice, Submission,
    SubmissionAttachment, SubmissionEvent,
)
from network.library.models import Example, ExampleAdvice, ExampleStep  # noqa: F401
from network.resources.models import CompetenceEnvironment, Report, Slide, SlideSet  # noqa: F401
from network.feedback.models import Feedback, FeedbackAttachment, FeedbackNote, FeedbackReply  # noqa: F401
from network.evaluations.models import (  # noqa: F401
    EvaluationAnswer, EvaluationInvitation, EvaluationQuestion, EvaluationResponse,
)
from network.privacy.models import DeletionRequest, ExportLog  # noqa: F401
from network.profile.models import EmailChange  # noqa: F401
from network.api.models import ApiToken  # noqa: F401
