import json, copy
cases = []
def add(name, obj):
    cases.append({"name": name, "object": obj})

def meta(name="x", **kw):
    m = {"name": name, "namespace": "default"}
    m.update(kw)
    return m

# ---------- Deployment ----------
def dep(spec=None, status=None, **m):
    o = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("web", **m), "spec": spec if spec is not None else {"replicas": 3}}
    if status is not None: o["status"] = status
    return o
ok = {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}
add("deployment healthy", dep(status=ok, generation=2))
add("deployment generation not observed", dep(status=ok, generation=3))
add("deployment generation observed ahead", dep(status={**ok, "observedGeneration": 5}, generation=3))
add("deployment paused wins over unobserved generation", dep(spec={"replicas": 3, "paused": True}, status=ok, generation=9))
add("deployment paused false", dep(spec={"replicas": 3, "paused": False}, status=ok, generation=2))
add("deployment progress deadline exceeded", dep(status={**ok, "conditions": [{"type": "Available", "status": "True"}, {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}, generation=2))
add("deployment first Progressing condition decides", dep(status={**ok, "conditions": [{"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}, {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}, generation=2))
add("deployment deadline exceeded but generation not observed", dep(status={**ok, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]}, generation=3))
add("deployment updating replicas", dep(status={**ok, "updatedReplicas": 1}, generation=2))
add("deployment old replicas pending termination", dep(status={**ok, "replicas": 5}, generation=2))
add("deployment updated replicas not available", dep(status={**ok, "availableReplicas": 2}, generation=2))
add("deployment without spec.replicas", dep(spec={}, status={"observedGeneration": 1, "replicas": 0}, generation=1))
add("deployment without status", dep(generation=1))
add("deployment without generation or status", dep(spec={"replicas": 1}))
add("deployment scaled to zero", dep(spec={"replicas": 0}, status={"observedGeneration": 1}, generation=1))
add("deployment name needing quotes", dep(status={**ok, "conditions": [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]}, generation=2) | {"metadata": meta('we"b\\x')})
add("deployment apps/v1beta2 unsupported", {**dep(status=ok, generation=2), "apiVersion": "apps/v1beta2"})
add("deployment extensions/v1beta1 has no check", {**dep(status=ok, generation=2), "apiVersion": "extensions/v1beta1"})
add("deployment replicas as string", dep(spec={"replicas": "3"}, status=ok, generation=2))
add("deployment replicas fractional", dep(spec={"replicas": 1.5}, status=ok, generation=2))
add("deployment replicas as bool", dep(spec={"replicas": True}, status=ok, generation=2))
add("deployment replicas null", dep(spec={"replicas": None}, status=ok, generation=2))
add("deployment paused as string", dep(spec={"paused": "true"}, status=ok, generation=2))
add("deployment paused as number", dep(spec={"paused": 1}, status=ok, generation=2))
add("deployment status as list", dep(status=[], generation=2))
add("deployment spec as string", dep(spec="x", status=ok, generation=2))
add("deployment conditions as map", dep(status={**ok, "conditions": {}}, generation=2))
add("deployment condition as string", dep(status={**ok, "conditions": ["x"]}, generation=2))
add("deployment condition null", dep(status={**ok, "conditions": [None]}, generation=2))
add("deployment condition reason number", dep(status={**ok, "conditions": [{"type": "Progressing", "reason": 7}]}, generation=2))
add("deployment condition reason fractional", dep(status={**ok, "conditions": [{"type": "Progressing", "reason": 7.5}]}, generation=2))
add("deployment observedGeneration as string", dep(status={**ok, "observedGeneration": "2"}, generation=2))
add("deployment generation fractional", dep(status=ok, generation=2.5))
add("deployment label value number", dep(status=ok, generation=2, labels={"app": 1}))
add("deployment label value null", dep(status=ok, generation=2, labels={"app": None}))
add("deployment labels as list", dep(status=ok, generation=2, labels=[]))
add("deployment annotations as string", dep(status=ok, generation=2, annotations="x"))
add("deployment finalizer number", dep(status=ok, generation=2, finalizers=[1]))
add("deployment name number", dep(status=ok, generation=2) | {"metadata": {"name": 5}})
add("deployment metadata as string", dep(status=ok) | {"metadata": "x"})
add("deployment unknown fields ignored", dep(spec={"replicas": 3, "bogus": [1, {"a": None}]}, status={**ok, "bogus": True}, generation=2))
add("deployment replicas beyond int32 wraps", dep(spec={"replicas": 4294967297}, status={**ok, "updatedReplicas": 0}, generation=2))
add("deployment first error in field order", dep(spec={"replicas": "x", "paused": "y"}, status={"replicas": "z"}, generation="g"))

# ---------- StatefulSet ----------
def sts(spec, status, gen=2):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta("db", generation=gen), "spec": spec, "status": status}
sok = {"observedGeneration": 2, "replicas": 3, "readyReplicas": 3, "currentReplicas": 3, "updatedReplicas": 3, "currentRevision": "db-1", "updateRevision": "db-1"}
add("statefulset rolling update complete", sts({"replicas": 3, "updateStrategy": {"type": "RollingUpdate"}}, sok))
add("statefulset default strategy", sts({"replicas": 3}, sok))
add("statefulset revisions differ", sts({"replicas": 3}, {**sok, "updateRevision": "db-2", "updatedReplicas": 1}))
add("statefulset observedGeneration zero", sts({"replicas": 3}, {**sok, "observedGeneration": 0}))
add("statefulset without status", sts({"replicas": 3}, None) | {"status": None})
add("statefulset generation ahead", sts({"replicas": 3}, sok, gen=3))
add("statefulset pods not ready", sts({"replicas": 3}, {**sok, "readyReplicas": 1}))
add("statefulset no spec.replicas", sts({}, {**sok, "readyReplicas": 0}))
add("statefulset partition in progress", sts({"replicas": 5, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}, {**sok, "readyReplicas": 5, "updatedReplicas": 2}))
add("statefulset partition complete", sts({"replicas": 5, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}}, {**sok, "readyReplicas": 5, "updatedReplicas": 3}))
add("statefulset rollingUpdate without partition", sts({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {}}}, {**sok, "updatedReplicas": 1, "updateRevision": "db-2"}))
add("statefulset rollingUpdate maxUnavailable only", sts({"replicas": 3, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}}, sok))
add("statefulset on delete", sts({"replicas": 3, "updateStrategy": {"type": "OnDelete"}}, {**sok, "updateRevision": "db-2"}))
add("statefulset partition as string", sts({"replicas": 5, "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": "2"}}}, sok))
add("statefulset updateStrategy as string", sts({"replicas": 3, "updateStrategy": "OnDelete"}, sok))
add("statefulset apps/v1beta1 unsupported", sts({"replicas": 3}, sok) | {"apiVersion": "apps/v1beta1"})

# ---------- DaemonSet ----------
def ds(spec, status, gen=2, name="agent"):
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name, generation=gen), "spec": spec, "status": status}
dok = {"observedGeneration": 2, "desiredNumberScheduled": 4, "updatedNumberScheduled": 4, "numberAvailable": 4, "currentNumberScheduled": 4, "numberReady": 4}
add("daemonset healthy", ds({}, dok))
add("daemonset generation ahead", ds({}, dok, gen=3))
add("daemonset updating", ds({"updateStrategy": {"type": "RollingUpdate"}}, {**dok, "updatedNumberScheduled": 1}))
add("daemonset pods not available", ds({}, {**dok, "numberAvailable": 3}))
add("daemonset on delete", ds({"updateStrategy": {"type": "OnDelete"}}, {**dok, "updatedNumberScheduled": 1}, gen=2))
add("daemonset without status", ds({}, None, gen=0) | {"status": None})
add("daemonset numberAvailable string", ds({}, {**dok, "numberAvailable": "4"}))
add("daemonset extensions/v1beta1 has no check", ds({}, dok) | {"apiVersion": "extensions/v1beta1"})

# ---------- ReplicaSet ----------
def rs(spec, status, gen=1):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta("web-123", generation=gen), "spec": spec, "status": status}
rok = {"observedGeneration": 1, "replicas": 2, "availableReplicas": 2, "readyReplicas": 2}
add("replicaset healthy", rs({"replicas": 2}, rok))
add("replicaset not available", rs({"replicas": 2}, {**rok, "availableReplicas": 1}))
add("replicaset replica failure", rs({"replicas": 2}, {**rok, "availableReplicas": 1, "conditions": [{"type": "ReplicaFailure", "status": "True", "reason": "FailedCreate", "message": "pods \"web-123-x\" is forbidden: exceeded quota"}]}))
add("replicaset replica failure false", rs({"replicas": 2}, {**rok, "conditions": [{"type": "ReplicaFailure", "status": "False", "message": "old"}]}))
add("replicaset generation ahead", rs({"replicas": 2}, rok, gen=2))
add("replicaset no spec.replicas", rs({}, {"observedGeneration": 1}))
add("replicaset extensions/v1beta1 has no check", rs({"replicas": 2}, rok) | {"apiVersion": "extensions/v1beta1"})

# ---------- Pod ----------
def pod(spec, status, **m):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta("p", **m), "spec": spec, "status": status}
ready = [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}]
notready = [{"type": "Ready", "status": "False"}]
add("pod running ready", pod({"restartPolicy": "Always"}, {"phase": "Running", "conditions": ready}))
add("pod running ready with message", pod({"restartPolicy": "Always"}, {"phase": "Running", "conditions": ready, "message": "all good"}))
add("pod default restart policy (empty) running", pod({}, {"phase": "Running", "conditions": ready, "message": "m"}))
add("pod running second Ready condition ignored", pod({"restartPolicy": "Always"}, {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}, {"type": "Ready", "status": "True"}]}))
add("pod running not ready after a crash", pod({"restartPolicy": "Always"}, {"phase": "Running", "conditions": notready, "message": "crashed", "containerStatuses": [{"name": "main", "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 1}}}]}))
add("pod crash loop", pod({"restartPolicy": "Always"}, {"phase": "Running", "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off a"}}}, {"name": "b", "state": {"waiting": {"reason": "ContainerCreating", "message": "creating"}}}, {"name": "c", "state": {"waiting": {"reason": "ErrImagePull", "message": "pull c"}}}, {"name": "d", "state": {"waiting": {"reason": "CreateContainerConfigError", "message": "config d"}}}]}))
add("pod waiting failure with empty message", pod({"restartPolicy": "Always"}, {"phase": "Pending", "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}))
add("pod init container backoff is not checked", pod({"restartPolicy": "Always"}, {"phase": "Pending", "message": "init", "initContainerStatuses": [{"name": "init", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "init backoff"}}}]}))
add("pod never restart with backoff is progressing", pod({"restartPolicy": "Never"}, {"phase": "Pending", "containerStatuses": [{"name": "a", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "pull"}}}]}))
add("pod failed with status message", pod({"restartPolicy": "Never"}, {"phase": "Failed", "message": "Pod was evicted", "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": 2, "message": "ignored"}}}]}))
add("pod failed init container message first", pod({"restartPolicy": "Never"}, {"phase": "Failed", "initContainerStatuses": [{"name": "init", "state": {"terminated": {"exitCode": 3, "message": "init said no"}}}], "containerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": 1}}}]}))
add("pod failed oom killed", pod({"restartPolicy": "Never"}, {"phase": "Failed", "containerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}}}]}))
add("pod failed exit code", pod({"restartPolicy": "OnFailure"}, {"phase": "Failed", "containerStatuses": [{"name": "ok", "state": {"terminated": {"exitCode": 0}}}, {"name": "main", "state": {"terminated": {"exitCode": 42, "reason": "Error"}}}]}))
add("pod failed without details", pod({"restartPolicy": "Never"}, {"phase": "Failed", "containerStatuses": [{"name": "main", "state": {"terminated": {"exitCode": 0}}}]}))
add("pod failed container name quoted", pod({"restartPolicy": "Never"}, {"phase": "Failed", "containerStatuses": [{"name": "ma\"in", "state": {"terminated": {"exitCode": 1}}}]}))
add("pod succeeded with message", pod({"restartPolicy": "Never"}, {"phase": "Succeeded", "message": "done"}))
add("pod unknown phase", pod({"restartPolicy": "Always"}, {"phase": "Unknown", "message": "node lost"}))
add("pod without status", pod({"restartPolicy": "Always"}, None) | {"status": None})
add("pod running with odd restart policy", pod({"restartPolicy": "Sometimes"}, {"phase": "Running", "message": "odd"}))
add("pod running onfailure", pod({"restartPolicy": "OnFailure"}, {"phase": "Running", "conditions": ready}))
add("pod ignore-restart-policy not ready", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": notready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "true"}))
add("pod ignore-restart-policy false", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": ready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "false"}))
add("pod ignore-restart-policy on helm hook", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": ready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "true", "helm.sh/hook": "post-install"}))
add("pod ignore-restart-policy on helm crd-install", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": ready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "true", "helm.sh/hook": "crd-install"}))
add("pod ignore-restart-policy on Skip hook", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": ready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "true", "argocd.argoproj.io/hook": "Skip"}))
add("pod ignore-restart-policy on garbage hook", pod({"restartPolicy": "Never"}, {"phase": "Running", "conditions": ready}, annotations={"argocd.argoproj.io/ignore-restart-policy": "true", "argocd.argoproj.io/hook": "Garbage"}))
add("pod exit code fractional", pod({"restartPolicy": "Never"}, {"phase": "Failed", "containerStatuses": [{"name": "m", "state": {"terminated": {"exitCode": 1.5}}}]}))
add("pod waiting as string", pod({"restartPolicy": "Always"}, {"phase": "Running", "containerStatuses": [{"name": "m", "state": {"waiting": "x"}}]}))
add("pod annotation value number", pod({"restartPolicy": "Never"}, {"phase": "Running"}, annotations={"argocd.argoproj.io/ignore-restart-policy": 1}))
add("pod v2 unsupported", pod({}, {"phase": "Running"}) | {"apiVersion": "v2"})
add("pod in another group has no check", pod({}, {"phase": "Running"}) | {"apiVersion": "example.com/v1"})

# ---------- Service ----------
def svc(spec, status):
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta("s"), "spec": spec, "status": status}
add("service nodeport", svc({"type": "NodePort"}, {}))
add("service loadbalancer empty ingress entry", svc({"type": "LoadBalancer"}, {"loadBalancer": {"ingress": [{}]}}))
add("service loadbalancer hostname", svc({"type": "LoadBalancer"}, {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}}))
add("service loadbalancer ingress as map", svc({"type": "LoadBalancer"}, {"loadBalancer": {"ingress": {}}}))
add("service loadbalancer ingress entry as string", svc({"type": "LoadBalancer"}, {"loadBalancer": {"ingress": ["1.2.3.4"]}}))
add("service clusterip with bad ingress", svc({"type": "ClusterIP"}, {"loadBalancer": {"ingress": [{"ip": 1}]}}))

# ---------- Ingress ----------
add("ingress networking v1 with ip", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("i"), "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}})
add("ingress ingress as string", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("i"), "status": {"loadBalancer": {"ingress": "x"}}})
add("ingress status as list", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta("i"), "status": []})
add("ingress extensions any version", {"apiVersion": "extensions/v1", "kind": "Ingress", "metadata": meta("i"), "status": {"loadBalancer": {"ingress": [1]}}})

# ---------- PVC ----------
for phase in ["Bound", "Pending", "Lost", "Weird", None]:
    add(f"pvc phase {phase}", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("data"), "status": {"phase": phase} if phase else {}})
add("pvc phase number", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta("data"), "status": {"phase": 1}})

# ---------- Job ----------
def job(conds):
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("j"), "status": {"conditions": conds}}
add("job complete message", job([{"type": "Complete", "status": "True", "message": "done"}]))
add("job failed wins over complete", job([{"type": "Complete", "status": "True", "message": "done"}, {"type": "Failed", "status": "True", "message": "BackoffLimitExceeded"}]))
add("job failed condition status false still failed", job([{"type": "Failed", "status": "False", "message": "f"}]))
add("job suspended false is healthy", job([{"type": "Suspended", "status": "False", "message": "Job resumed"}]))
add("job suspended then complete message", job([{"type": "Suspended", "status": "True", "message": "s"}, {"type": "Complete", "status": "True", "message": "c"}]))
add("job other conditions only", job([{"type": "FailureTarget", "status": "True", "message": "x"}, {"type": "SuccessCriteriaMet", "status": "True"}]))
add("job without status", {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta("j")})
add("job batch/v2 unsupported", job([]) | {"apiVersion": "batch/v2"})
add("job condition message number", job([{"type": "Failed", "message": 1}]))


# ---------- HPA ----------
def hpa1(ann):
    m = meta("h")
    if ann is not None: m["annotations"] = {"autoscaling.alpha.kubernetes.io/conditions": ann}
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": m}
def hpa2(conds, version="v2"):
    return {"apiVersion": f"autoscaling/{version}", "kind": "HorizontalPodAutoscaler", "metadata": meta("h"), "status": {"conditions": conds}}
add("hpa v1 empty list", hpa1("[]"))
add("hpa v1 null", hpa1("null"))
add("hpa v1 object", hpa1("{}"))
add("hpa v1 string", hpa1("\"x\""))
add("hpa v1 invalid json", hpa1("nope"))
add("hpa v1 type number", hpa1('[{"type": 1}]'))
add("hpa v1 message bool", hpa1('[{"type": "AbleToScale", "status": "True", "message": true}]'))
add("hpa v1 item number", hpa1('[1]'))
add("hpa v1 item null", hpa1('[null, {"type": "ScalingLimited", "status": "True", "message": "limited"}]'))
add("hpa v1 field case folded", hpa1('[{"TYPE": "AbleToScale", "sTaTuS": "True", "MESSAGE": "m"}]'))
add("hpa v1 later key wins", hpa1('[{"type": "AbleToScale", "status": "True", "message": "first", "Message": "second"}]'))
add("hpa v1 null field keeps value", hpa1('[{"type": "AbleToScale", "status": "True", "message": null}]'))
add("hpa v1 unknown fields", hpa1('[{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2020-01-01T00:00:00Z", "x": [1]}]'))
add("hpa v1 scaling limited", hpa1('[{"type": "ScalingLimited", "status": "True", "reason": "TooFewReplicas", "message": "too few"}]'))
add("hpa v1 able to scale false", hpa1('[{"type": "AbleToScale", "status": "False", "reason": "BackoffBoth", "message": "backoff"}]'))
add("hpa v1 degraded wins over healthy", hpa1('[{"type": "AbleToScale", "status": "True", "message": "ok"}, {"type": "ScalingActive", "status": "False", "reason": "FailedGetPodsMetric", "message": "no pods metric"}]'))
for reason in ["FailedGetScale", "FailedUpdateScale"]:
    add(f"hpa v2 AbleToScale {reason}", hpa2([{"type": "AbleToScale", "status": "True", "reason": reason, "message": reason + " happened"}]))
for reason in ["FailedGetResourceMetric", "FailedGetObjectMetric", "FailedGetPodsMetric", "FailedGetExternalMetric", "FailedComputeMetricsReplicas", "InvalidSelector", "ValidMetricFound"]:
    add(f"hpa v2 ScalingActive {reason}", hpa2([{"type": "ScalingActive", "status": "False", "reason": reason, "message": reason + " message"}]))
add("hpa v2 no conditions", hpa2([]))
add("hpa v2 conditions as map", hpa2({}))
add("hpa v2beta2 unsupported", hpa2([], "v2beta2"))
add("hpa v2beta1 unsupported", hpa2([], "v2beta1"))
add("hpa v1 annotations number", {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta("h", annotations={"a": 1})})

# ---------- APIService ----------
def apis(conds, version="v1"):
    return {"apiVersion": f"apiregistration.k8s.io/{version}", "kind": "APIService", "metadata": {"name": "v1.example.com"}, "status": {"conditions": conds}}
add("apiservice no conditions", apis([]))
add("apiservice available unknown", apis([{"type": "Available", "status": "Unknown", "reason": "", "message": ""}]))
add("apiservice first Available decides", apis([{"type": "Available", "status": "False", "reason": "A", "message": "a"}, {"type": "Available", "status": "True", "reason": "B", "message": "b"}]))
add("apiservice v1alpha1 unsupported", apis([], "v1alpha1"))

# ---------- Workflow ----------
for phase in ["Pending", "Running", "Succeeded", "Failed", "Error", "Skipped"]:
    add(f"workflow phase {phase}", {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": meta("w"), "status": {"phase": phase, "message": f"{phase} message"}})
add("workflow phase number", {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": meta("w"), "status": {"phase": 3, "message": "m"}})
add("workflow message number", {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": meta("w"), "status": {"phase": "Failed", "message": 3}})

# ---------- kinds without checks, dispatch ----------
add("configmap has no health", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c")})
add("application has no health", {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta("a"), "status": {"health": {"status": "Degraded"}}})
add("apiVersion with two slashes", {"apiVersion": "apps/v1/x", "kind": "Deployment", "metadata": meta("d")})
add("apiVersion missing", {"kind": "Deployment", "metadata": meta("d")})
add("apiVersion slash only", {"apiVersion": "/", "kind": "Pod", "metadata": meta("d")})
add("apiVersion leading slash", {"apiVersion": "/v1", "kind": "Pod", "metadata": meta("d"), "spec": {}, "status": {"phase": "Pending"}})
add("kind number", {"apiVersion": "v1", "kind": 5, "metadata": meta("d")})

# ---------- deletion ----------
dt = "2024-05-01T10:00:00Z"
add("deleting deployment", dep(status=ok, generation=2, deletionTimestamp=dt))
add("deleting configmap", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp=dt)})
add("deleting hook keeps its health", pod({"restartPolicy": "Never"}, {"phase": "Running"}, deletionTimestamp=dt, finalizers=["argocd.argoproj.io/hook-finalizer"]))
add("deleting with other finalizers", pod({"restartPolicy": "Never"}, {"phase": "Running"}, deletionTimestamp=dt, finalizers=["kubernetes.io/pvc-protection"]))
add("deleting with a non-string finalizer", pod({"restartPolicy": "Never"}, {"phase": "Running"}, deletionTimestamp=dt, finalizers=["argocd.argoproj.io/hook-finalizer", 1]))
add("deletion timestamp with offset", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="2024-05-01T10:00:00+02:00")})
add("deletion timestamp with fraction", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="2024-05-01T10:00:00.5Z")})
add("deletion timestamp unparseable", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="soon")})
add("deletion timestamp date only", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="2024-05-01")})
add("deletion timestamp impossible date", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="2024-02-30T10:00:00Z")})
add("deletion timestamp zero time", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp="0001-01-01T00:00:00Z")})
add("deletion timestamp number", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", deletionTimestamp=5)})

names = [c["name"] for c in cases]
assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
json.dump(cases, open("go-cases.json", "w"), indent=1)
print(len(cases))
