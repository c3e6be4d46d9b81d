"""/api/: the REST API, its OpenAPI schema and the Swagger UI (served from the sidecar, no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from approvals.api import ApprovalViewSet
from catalog.api import CategoryViewSet, FundingSourceViewSet, IndustryFieldViewSet, ProcedureTypeViewSet
from elements.api import ElementNeedViewSet, ElementTypeViewSet, FundingRecordViewSet
from figures.api import FiguresViewSet
from financing.api import FinancingNeedViewSet, MatchEventViewSet
from milestones.api import MilestoneTemplateViewSet, MilestoneViewSet
from org.api import ObtainTokenView, UnitViewSet
from pipeline.api import PipelineEntryViewSet, ReviewRoundViewSet
from plans.api import PlanEntryViewSet, PlanViewSet
from problems.api import CommentViewSet, MatterViewSet, MeetingViewSet, ProblemViewSet
from projects.api import ProcedureViewSet, ProjectViewSet
from reviews.api import ObservationRoundViewSet
from starts.api import StartEventViewSet
from supervision.api import InspectionViewSet, NoticeViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("plans", PlanViewSet, basename="plan")
router.register("plan-entries", PlanEntryViewSet, basename="planentry")
router.register("units", UnitViewSet, basename="unit")
router.register("industries", IndustryFieldViewSet, basename="industry")
router.register("categories", CategoryViewSet, basename="category")
router.register("procedure-types", ProcedureTypeViewSet, basename="proceduretype")
router.register("funding-sources", FundingSourceViewSet, basename="fundingsource")
router.register("pipeline-entries", PipelineEntryViewSet, basename="pipelineentry")
router.register("pipeline-rounds", ReviewRoundViewSet, basename="reviewround")
router.register("start-events", StartEventViewSet, basename="startevent")
router.register("observation-rounds", ObservationRoundViewSet, basename="observationround")
router.register("financing-needs", FinancingNeedViewSet, basename="financingneed")
router.register("financing-events", MatchEventViewSet, basename="financingevent")
router.register("funding-records", FundingRecordViewSet, basename="fundingrecord")
router.register("element-needs", ElementNeedViewSet, basename="elementneed")
router.register("element-types", ElementTypeViewSet, basename="elementtype")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("figures", FiguresViewSet, basename="figures")
router.register("problems", ProblemViewSet, basename="problem")
router.register("problem-comments", CommentViewSet, basename="problemcomment")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("matters", MatterViewSet, basename="matter")
router.register("notices", NoticeViewSet, basename="notice")
router.register("inspections", InspectionViewSet, basename="inspection")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("milestone-templates", MilestoneTemplateViewSet, basename="milestonetemplate")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
